//! Skills on the workspace's pages: a member's page with their skills section (editable by
//! them and by workspace admins), the chip buttons of the tag fields it and the item page
//! share, and the skills matrix for workspace admins.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::{WorkspaceAdmin, WorkspaceCtx};
use super::error::AppError;
use super::htmx::Htmx;
use super::layout::{FieldErrors, Layout};
use super::skills_form::{CanRow, SkillsForm, TagList};
use super::workspace_members::MemberRef;
use super::{render, see_other, unprocessable};
use crate::activity::{self, ActivityEntry, History};
use crate::okr;
use crate::skills::{self, CanSkill, MemberSkills, SkillsError, SkillsInput};

/// The tag fields there are: their form name, label and hint.
const TAG_FIELDS: &[(&str, &str, &str)] = &[
    (
        "should",
        "Should develop",
        "Skills to grow into; a small bonus when suggesting them for work.",
    ),
    (
        "want",
        "Wants to use",
        "Skills they would like to work with.",
    ),
    (
        "skill_tags",
        "Skills needed",
        "What this action asks for; assignee suggestions match them.",
    ),
];

/// A list of names as chips with an add box; its buttons ask `endpoint` for the field again.
#[derive(Template)]
#[template(path = "skills/tag_field.html")]
pub struct TagField {
    pub field: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub list: TagList,
    pub error: Option<String>,
    pub endpoint: String,
}

impl TagField {
    pub fn new(base: &str, field: &str, list: TagList, error: Option<String>) -> Option<Self> {
        let (field, label, hint) = *TAG_FIELDS.iter().find(|(name, ..)| *name == field)?;
        Some(Self {
            field,
            label,
            hint,
            list,
            error,
            endpoint: format!("{base}/skills/field"),
        })
    }

    /// What a chip's remove button sends (JSON, escaped as the attribute is written).
    fn remove_vals(&self, chip: &str) -> String {
        remove_vals(self.field, chip)
    }

    fn field_vals(&self) -> String {
        serde_json::json!({ "field": self.field }).to_string()
    }
}

fn remove_vals(field: &str, chip: &str) -> String {
    serde_json::json!({ "field": field, "remove": format!("{field}:{chip}") }).to_string()
}

/// The skills someone can, each with a level, and a row to add one.
#[derive(Template)]
#[template(path = "skills/can_field.html")]
struct CanField {
    rows: Vec<CanRow>,
    adding: CanRow,
    error: Option<String>,
    endpoint: String,
    levels: [(u8, &'static str); 3],
}

impl CanField {
    fn new(base: &str, rows: Vec<CanRow>, adding: CanRow, error: Option<String>) -> Self {
        Self {
            rows,
            adding,
            error,
            endpoint: format!("{base}/skills/field"),
            levels: CanSkill::LEVELS,
        }
    }

    fn is_level(&self, row: &CanRow, level: &u8) -> bool {
        row.level == level.to_string()
    }

    fn remove_vals(&self, chip: &str) -> String {
        remove_vals("can", chip)
    }
}

/// A member's skills: the form for those who may change them, else the lists to read.
#[derive(Template)]
#[template(path = "skills/section.html")]
struct SkillsSection {
    action: String,
    csrf_token: String,
    member: MemberSkills,
    can: CanField,
    should: TagField,
    want: TagField,
    form: SkillsForm,
    errors: FieldErrors,
    saved: bool,
}

impl SkillsSection {
    fn new(
        ctx: &WorkspaceCtx,
        member: MemberSkills,
        form: SkillsForm,
        refused: Option<&SkillsError>,
    ) -> Result<Self, AppError> {
        let base = ctx.base();
        let error = |field: &str| refused.and_then(|r| r.on(field)).map(str::to_owned);
        let mut errors = FieldErrors::default();
        for field in ["hours_per_week", "unavailable"] {
            if let Some(message) = error(field) {
                errors.add(field, message);
            }
        }
        let tag = |field, list: &TagList| {
            TagField::new(&base, field, list.clone(), error(field))
                .ok_or_else(|| AppError::BadRequest(format!("{field} is not a list of skills.")))
        };
        Ok(Self {
            action: format!("{base}/members/{}/skills", member.user_id),
            csrf_token: ctx.signed_in.csrf_token.clone(),
            can: CanField::new(
                &base,
                form.can.clone(),
                form.can_adding.clone(),
                error("can"),
            ),
            should: tag("should", &form.should)?,
            want: tag("want", &form.want)?,
            member,
            form,
            errors,
            saved: false,
        })
    }
}

#[derive(Template)]
#[template(path = "workspaces/member.html")]
struct MemberPage {
    layout: Layout,
    base: String,
    section: SkillsSection,
    /// Every skill name of the workspace, offered as people type.
    names: Vec<String>,
    history: Vec<ActivityEntry>,
}

async fn member_page(
    ctx: &WorkspaceCtx,
    user_id: String,
    typed: Option<(SkillsForm, SkillsError)>,
) -> Result<MemberPage, AppError> {
    let access = ctx.access.clone();
    let (member, names, history) = ctx
        .run(move |conn, _, _| {
            let member = skills::of_member(conn, &access, &user_id)?;
            let workspace_id = &access.workspace().id;
            let names = skills::workspace_names(conn, workspace_id)?;
            let history = activity::recent(
                conn,
                History::MemberSkills(workspace_id, &user_id),
                10,
                okr::history_words,
            )?;
            Ok::<_, SkillsError>((member, names, history))
        })
        .await?;
    let (form, refused) = match typed {
        Some((form, refused)) => (form, Some(refused)),
        None => (SkillsForm::of(&member.skills), None),
    };
    Ok(MemberPage {
        layout: ctx.layout(&member.name).await?,
        base: ctx.base(),
        names: names.iter().map(ToString::to_string).collect(),
        section: SkillsSection::new(ctx, member, form, refused.as_ref())?,
        history,
    })
}

pub async fn member(
    ctx: WorkspaceCtx,
    path: web::Path<MemberRef>,
) -> Result<HttpResponse, AppError> {
    render(member_page(&ctx, path.into_inner().user_id, None).await?)
}

/// Saves a member's skills. htmx gets the section back (saved, or refused with the messages
/// beside the fields and everything typed kept); a plain post the page.
pub async fn save(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<MemberRef>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner().user_id;
    let form = SkillsForm::parse(&body);
    let (input, access, target) = (form.input(), ctx.access.clone(), user_id.clone());
    let outcome = ctx
        .run(move |conn, actor, _| skills::save(conn, actor, &access, &target, &input))
        .await;
    match outcome {
        Ok(member) if htmx.0 => {
            let form = SkillsForm::of(&member.skills);
            let mut section = SkillsSection::new(&ctx, member, form, None)?;
            section.saved = true;
            render(section)
        }
        Ok(_) => {
            ctx.flash("Skills saved.")?;
            Ok(see_other(&format!("{}/members/{user_id}", ctx.base())))
        }
        Err(refused @ SkillsError::Invalid(_)) => {
            let page = member_page(&ctx, user_id, Some((form, refused))).await?;
            if htmx.0 {
                unprocessable(page.section)
            } else {
                unprocessable(page)
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// A tag field after one of its chip buttons (add or remove), checked by the list's rules;
/// nothing is saved until the form is.
pub async fn field(ctx: WorkspaceCtx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let query = req.query_string().as_bytes();
    let form = SkillsForm::parse(query);
    let field = url::form_urlencoded::parse(query)
        .find(|(name, _)| name == "field")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let removing = form
        .remove
        .as_ref()
        .filter(|(list, _)| *list == field)
        .map(|(_, name)| name.clone());
    let base = ctx.base();
    if field == "can" {
        let mut rows = form.can.clone();
        if let Some(name) = removing {
            rows.retain(|row| row.name != name);
            return render(CanField::new(&base, rows, CanRow::default(), None));
        }
        let typed = SkillsInput {
            can: form.input().can,
            ..SkillsInput::default()
        };
        return render(match typed.parse() {
            Ok(parsed) => {
                CanField::new(&base, SkillsForm::of(&parsed).can, CanRow::default(), None)
            }
            Err(refused) => CanField::new(
                &base,
                rows,
                form.can_adding,
                refused.on("can").map(str::to_owned),
            ),
        });
    }
    let list = TagList::parse(query, &field);
    let rule = |typed: &[String]| {
        let field = TAG_FIELDS
            .iter()
            .find(|(name, ..)| *name == field)
            .map_or("skills", |(name, ..)| *name);
        skills::names(field, typed)
            .map(|names| names.iter().map(ToString::to_string).collect())
            .map_err(|e| e.message)
    };
    let (list, error) = list.after_button(removing.as_deref(), rule);
    let tag = TagField::new(&base, &field, list, error)
        .ok_or_else(|| AppError::BadRequest("Name a list of skills.".into()))?;
    render(tag)
}

#[derive(Deserialize)]
pub struct MatrixQuery {
    #[serde(default)]
    skill: String,
    #[serde(default)]
    member: String,
}

#[derive(Template)]
#[template(path = "skills/matrix.html")]
struct MatrixPage {
    layout: Layout,
    base: String,
    matrix: skills::Matrix,
    skill: String,
    member: String,
}

async fn matrix_of(ctx: &WorkspaceAdmin, query: &MatrixQuery) -> Result<skills::Matrix, AppError> {
    let (skill, member) = (query.skill.clone(), query.member.clone());
    Ok(ctx
        .run(move |conn, _, admin| skills::matrix(conn, admin, &skill, &member))
        .await?)
}

/// Members × skills, for workspace admins, narrowed by skill or member name.
pub async fn matrix(
    ctx: WorkspaceAdmin,
    query: web::Query<MatrixQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let matrix = matrix_of(&ctx, &query).await?;
    render(MatrixPage {
        layout: ctx.layout("Skills").await?,
        base: ctx.base(),
        matrix,
        skill: query.skill,
        member: query.member,
    })
}

/// The matrix as it is filtered, as CSV.
pub async fn matrix_csv(
    ctx: WorkspaceAdmin,
    query: web::Query<MatrixQuery>,
) -> Result<HttpResponse, AppError> {
    let matrix = matrix_of(&ctx, &query.into_inner()).await?;
    let name = format!("{}-skills.csv", ctx.access.workspace().slug);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(matrix.csv()))
}
