//! `cairn demo`: a demo organization with two workspaces (one per privacy mode), people
//! with a manager chain, and a realistic set of OKRs, built through the same domain
//! functions the app uses, so progress and activity are what they would be. Plans sit in
//! this quarter's cycle, with weeks of check-ins (`measures`); last quarter is closed and
//! scored (`cycles`). Everyone lists their skills, and actions carry the skills their titles
//! name (`skills`).

mod cycles;
mod measures;
mod plans;
mod skills;

use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::accounts::{self, DisplayName, Email, NewAccount, Password};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::okr::edit::{self, ItemChanges};
use crate::okr::{self, links, ActionStatus, ItemType, NewItem, OkrError, StoryPoints};
use crate::orgs::{self, NewOrganization, OrgError, OrgRole};
use crate::scope::Viewer;
use crate::workspaces::{self, MembershipChange, PrivacyMode, WorkspaceRole, WorkspaceSettings};
use plans::{GO_TO_MARKET, PRODUCT};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo people already exist ({0}); the demo is already set up in this database")]
    AlreadyThere(String),
    #[error(transparent)]
    Account(#[from] accounts::AccountError),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Okr(#[from] OkrError),
    #[error(transparent)]
    Skills(#[from] crate::skills::SkillsError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl From<diesel::result::Error> for DemoError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(crate::db::DbError::Query(e))
    }
}

/// Who can log in to the demo.
pub struct DemoLogin {
    pub name: String,
    pub email: String,
    pub role: &'static str,
}

pub struct Demo {
    pub org_slug: String,
    pub password: String,
    pub logins: Vec<DemoLogin>,
}

/// (name, email, org role, manager index)
const PEOPLE: &[(&str, &str, OrgRole, Option<usize>)] = &[
    ("Ada Lovelace", "ada@demo.cairn.test", OrgRole::Owner, None),
    (
        "Grace Hopper",
        "grace@demo.cairn.test",
        OrgRole::Admin,
        Some(0),
    ),
    (
        "Alan Turing",
        "alan@demo.cairn.test",
        OrgRole::Member,
        Some(1),
    ),
    (
        "Katherine Johnson",
        "katherine@demo.cairn.test",
        OrgRole::Member,
        Some(1),
    ),
    (
        "Edsger Dijkstra",
        "edsger@demo.cairn.test",
        OrgRole::Member,
        Some(2),
    ),
    (
        "Barbara Liskov",
        "barbara@demo.cairn.test",
        OrgRole::Member,
        Some(0),
    ),
];

fn actor_for(user_id: &str) -> Actor {
    Actor {
        user_id: user_id.to_owned(),
        request_id: format!("demo-{}", uuid::Uuid::new_v4()),
    }
}

/// Builds the demo, all or nothing. `today` anchors the due dates (some past, most ahead).
pub fn create(conn: &mut AnyConnection, today: NaiveDate) -> Result<Demo, DemoError> {
    crate::db::write_transaction(conn, |conn| build(conn, today))
}

fn build(conn: &mut AnyConnection, today: NaiveDate) -> Result<Demo, DemoError> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let password = {
        use rand::distributions::{Alphanumeric, DistString};
        let mut os = rand::thread_rng();
        format!("demo-{}", Alphanumeric.sample_string(&mut os, 12))
    };
    let checked =
        Password::parse(password.clone()).map_err(|e| DemoError::Invalid(e.to_string()))?;
    let hash = accounts::hash_password(&checked).map_err(accounts::AccountError::from)?;

    let mut user_ids = Vec::new();
    for (name, email, ..) in PEOPLE {
        let email = Email::parse(email).map_err(|e| DemoError::Invalid(e.to_string()))?;
        let account = NewAccount {
            email: email.clone(),
            name: DisplayName::parse(name).map_err(|e| DemoError::Invalid(e.to_string()))?,
            password: checked.clone(),
        };
        match accounts::create_account(conn, &account, &hash) {
            Ok(user) => user_ids.push(user.id),
            Err(accounts::AccountError::EmailTaken) => {
                return Err(DemoError::AlreadyThere(email.to_string()))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let owner = actor_for(&user_ids[0]);
    let org = orgs::create(
        conn,
        &owner,
        NewOrganization {
            name: "Northwind Robotics".into(),
            slug: None,
        },
    )?;
    for (index, (_, _, role, _)) in PEOPLE.iter().enumerate().skip(1) {
        orgs::add_member(conn, &org.id, &user_ids[index], *role)?;
    }
    let org_access = orgs::access(conn, &user_ids[0], &org.slug)?;
    let quarters = cycles::quarters(conn, &owner, &org_access.admin()?, today)?;
    let quarter_end = quarters.current.end_date;

    for (name, privacy_mode, plans) in [
        ("Product", PrivacyMode::NeedToKnow, PRODUCT),
        ("Go-to-market", PrivacyMode::Open, GO_TO_MARKET),
    ] {
        let settings = WorkspaceSettings {
            name: name.into(),
            slug: orgs::Slug::suggest(name).ok_or_else(|| DemoError::Invalid(name.into()))?,
            privacy_mode,
        };
        let workspace = workspaces::create(conn, &owner, &org_access.admin()?, settings)?;
        let access = workspaces::access(conn, &user_ids[0], &org.slug, &workspace.slug)?.admin()?;
        for (index, (.., manager)) in PEOPLE.iter().enumerate().skip(1) {
            let role = if index == 1 {
                WorkspaceRole::Admin
            } else {
                WorkspaceRole::User
            };
            workspaces::add_member(conn, &owner, &access, &user_ids[index], role)?;
            if let Some(manager) = manager {
                let change = MembershipChange {
                    manager_user_id: Some(Some(user_ids[*manager].clone())),
                    ..MembershipChange::default()
                };
                workspaces::update_member(conn, &owner, &access, &user_ids[index], change)?;
            }
        }
        for (user_id, profile) in user_ids.iter().zip(skills::profiles(today)) {
            crate::skills::save(conn, &owner, &access, user_id, &profile)?;
        }
        let viewer = Viewer::new(conn, &access)?;
        cycles::plan_last_quarter(conn, &owner, &viewer, &user_ids[1..], &quarters)?;
        // Work began five weeks ago (or when the quarter did), so pace has something to
        // measure; dates stay inside the quarter.
        let quarter_start = (today - Duration::days(35)).max(quarters.current.start_date);
        let quarter_first = quarters.current.start_date;
        let within = |day: NaiveDate| day.clamp(quarter_first, quarter_end);
        let mut objectives = Vec::new();
        for (o, plan) in plans.iter().enumerate() {
            let new = NewItem {
                cycle_id: Some(quarters.current.id.clone()),
                ..item(ItemType::Objective, plan.objective, None, None)
            };
            let objective = okr::create(conn, &owner, &viewer, new)?;
            let lead = &user_ids[1 + o % (user_ids.len() - 1)];
            reassign(conn, &owner, &viewer, &objective.id, lead, quarter_start)?;
            objectives.push(objective.id.clone());
            for (k, (kr_title, actions)) in plan.key_results.iter().enumerate() {
                let due = within(today + Duration::days(30 + 14 * k as i64 + rng.gen_range(0..10)));
                let new = NewItem {
                    measure: measures::measure_of(kr_title)?,
                    ..item(
                        ItemType::KeyResult,
                        kr_title,
                        Some(&objective.id),
                        Some(due),
                    )
                };
                let kr = okr::create(conn, &owner, &viewer, new)?;
                let kr_owner = user_ids
                    .choose(&mut rng)
                    .cloned()
                    .unwrap_or_else(|| user_ids[0].clone());
                reassign(conn, &owner, &viewer, &kr.id, &kr_owner, quarter_start)?;
                for action_title in actions {
                    // Spread due dates from three weeks ago to two months ahead.
                    let due = within(today + Duration::days(rng.gen_range(-21..60)));
                    let action = okr::create(
                        conn,
                        &owner,
                        &viewer,
                        item(ItemType::Action, action_title, Some(&kr.id), Some(due)),
                    )?;
                    let status = if due < today {
                        [
                            ActionStatus::Done,
                            ActionStatus::Done,
                            ActionStatus::WorkInProgress,
                            ActionStatus::Pending,
                        ]
                    } else {
                        [
                            ActionStatus::Pending,
                            ActionStatus::Pending,
                            ActionStatus::WorkInProgress,
                            ActionStatus::Done,
                        ]
                    }[rng.gen_range(0..4)];
                    let points = [
                        StoryPoints::One,
                        StoryPoints::Two,
                        StoryPoints::Three,
                        StoryPoints::Five,
                        StoryPoints::Eight,
                        StoryPoints::Unknown,
                    ][rng.gen_range(0..6)];
                    let owner_id = user_ids
                        .choose(&mut rng)
                        .cloned()
                        .unwrap_or_else(|| user_ids[0].clone());
                    let helper = user_ids
                        .choose(&mut rng)
                        .cloned()
                        .unwrap_or_else(|| user_ids[0].clone());
                    let changes = ItemChanges {
                        owner_user_id: Some(owner_id),
                        assignee_user_ids: Some(vec![helper]),
                        start_date: Some(Some(
                            (due - Duration::days(rng.gen_range(7..28))).max(quarter_first),
                        )),
                        action_status: Some(status),
                        story_points: Some(Some(points)),
                        skill_tags: Some(skills::needs(action_title)),
                        ..ItemChanges::default()
                    };
                    edit::update(conn, &owner, &viewer, &action.id, changes, db::now())?;
                }
                let author = actor_for(&kr_owner);
                measures::check_in(conn, &author, &viewer, (&kr.id, kr_title), today)?;
            }
        }
        if let [first, second, ..] = objectives.as_slice() {
            links::add(conn, &owner, &viewer, first, second)?;
        }
    }
    cycles::close_last_quarter(conn, &owner, &org_access.admin()?, &quarters)?;
    Ok(Demo {
        org_slug: org.slug,
        password,
        logins: PEOPLE
            .iter()
            .map(|(name, email, role, _)| DemoLogin {
                name: (*name).to_owned(),
                email: (*email).to_owned(),
                role: role.label(),
            })
            .collect(),
    })
}

fn item(item_type: ItemType, title: &str, parent: Option<&str>, due: Option<NaiveDate>) -> NewItem {
    NewItem {
        due_date: due,
        ..NewItem::new(item_type, title.to_owned(), parent.map(str::to_owned))
    }
}

/// Gives an objective or key result its owner and the day its period starts.
fn reassign(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    owner: &str,
    start: NaiveDate,
) -> Result<(), OkrError> {
    let changes = ItemChanges {
        owner_user_id: Some(owner.to_owned()),
        assignee_user_ids: Some(Vec::new()),
        start_date: Some(Some(start)),
        ..ItemChanges::default()
    };
    edit::update(conn, actor, viewer, item_id, changes, db::now()).map(drop)
}
