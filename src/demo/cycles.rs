//! The demo's cycles: last quarter, closed and scored (each workspace has a success and an
//! objective that fell short, carried over), and this quarter, active, holding the plans.

use chrono::{Duration, NaiveDate, NaiveTime};

use super::{actor_for, item, DemoError};
use crate::activity::Actor;
use crate::cycles::{self, Cycle, FiscalMonth, Outcome, StateChange};
use crate::db::{self, AnyConnection};
use crate::okr::check_ins::{self, CheckInDraft, Confidence};
use crate::okr::edit::{self, ItemChanges};
use crate::okr::{self, ActionStatus, CarryOver, ItemType};
use crate::orgs::OrgAdminAccess;
use crate::scope::Viewer;

/// Last quarter and this one.
pub(super) struct Quarters {
    pub last: Cycle,
    pub current: Cycle,
}

impl From<cycles::CycleError> for DemoError {
    fn from(e: cycles::CycleError) -> Self {
        Self::Okr(e.into())
    }
}

/// Creates and activates the quarter containing `today` and the one before it.
pub(super) fn quarters(
    conn: &mut AnyConnection,
    owner: &Actor,
    admin: &OrgAdminAccess,
    today: NaiveDate,
) -> Result<Quarters, DemoError> {
    let quarter = |day: NaiveDate| {
        cycles::quarter_containing(day, FiscalMonth::JANUARY)
            .ok_or_else(|| DemoError::Invalid(format!("no quarter holds {day}")))
    };
    let current = quarter(today)?;
    let last = quarter(current.dates.start() - Duration::days(1))?;
    let mut made = Vec::new();
    for q in [last, current] {
        let at = q.dates.start().and_time(NaiveTime::MIN);
        let cycle = cycles::create(conn, owner, admin, q.name, q.dates, at)?;
        made.push(cycles::change_state(
            conn,
            owner,
            admin,
            &cycle.id,
            StateChange::Activate,
            at,
        )?);
    }
    let current = made
        .pop()
        .ok_or_else(|| DemoError::Invalid("no quarter".into()))?;
    let last = made
        .pop()
        .ok_or_else(|| DemoError::Invalid("no quarter".into()))?;
    Ok(Quarters { last, current })
}

/// (objective, outcome, closing note, key results with their actions and whether each is done)
type Closed = (
    &'static str,
    Outcome,
    &'static str,
    &'static [(&'static str, &'static [(&'static str, bool)])],
);

const LAST_QUARTER: [Closed; 2] = [
    (
        "Launch the mobile app",
        Outcome::Successful,
        "Shipped two weeks early; the store rating settled at 4.6.",
        &[
            (
                "Publish on both app stores",
                &[
                    ("Pass store review", true),
                    ("Write the store listing", true),
                ],
            ),
            (
                "Reach 2,000 weekly mobile users",
                &[
                    ("Announce in the newsletter", true),
                    ("Add the install banner", true),
                ],
            ),
        ],
    ),
    (
        "Open the Nordic market",
        Outcome::NotSuccessful,
        "Two partners signed, the third slipped; carried over to finish it.",
        &[
            (
                "Sign three reseller partners",
                &[
                    ("Shortlist partners", true),
                    ("Negotiate terms with Fjord IT", false),
                ],
            ),
            (
                "Translate the product into Swedish",
                &[
                    ("Translate the interface", true),
                    ("Translate the help centre", false),
                ],
            ),
        ],
    ),
];

/// Plans last quarter in the workspace: its objectives with actions mostly done, a final
/// check-in on each key result, an outcome and note on each objective; what fell short is
/// carried over to this quarter.
pub(super) fn plan_last_quarter(
    conn: &mut AnyConnection,
    owner: &Actor,
    viewer: &Viewer,
    leads: &[String],
    quarters: &Quarters,
) -> Result<(), DemoError> {
    let last = &quarters.last;
    let final_day = last.end_date - Duration::days(2);
    let mut short = Vec::new();
    for (index, (title, outcome, note, key_results)) in LAST_QUARTER.iter().enumerate() {
        let new = okr::NewItem {
            cycle_id: Some(last.id.clone()),
            ..item(ItemType::Objective, title, None, None)
        };
        let objective = okr::create(conn, owner, viewer, new)?;
        let lead = &leads[index % leads.len()];
        for (kr_title, actions) in key_results.iter() {
            let kr = okr::create(
                conn,
                owner,
                viewer,
                item(ItemType::KeyResult, kr_title, Some(&objective.id), None),
            )?;
            for (action_title, done) in actions.iter() {
                let action = okr::create(
                    conn,
                    owner,
                    viewer,
                    item(ItemType::Action, action_title, Some(&kr.id), None),
                )?;
                let changes = ItemChanges {
                    action_status: Some(if *done {
                        ActionStatus::Done
                    } else {
                        ActionStatus::WorkInProgress
                    }),
                    ..ItemChanges::default()
                };
                edit::update(conn, owner, viewer, &action.id, changes, db::now())?;
            }
            let confidence = if *outcome == Outcome::Successful {
                9
            } else {
                4
            };
            let draft = CheckInDraft {
                value: None,
                done: None,
                confidence: Confidence::new(confidence)
                    .map_err(|e| DemoError::Invalid(e.message))?,
                note: None,
                effective_on: Some(final_day),
            };
            let written = final_day.and_time(NaiveTime::MIN) + Duration::hours(16);
            check_ins::add(conn, &actor_for(lead), viewer, &kr.id, draft, written)?;
        }
        let closing = ItemChanges {
            owner_user_id: Some(lead.clone()),
            outcome: Some(Some(*outcome)),
            closing_note: Some(Some((*note).to_owned())),
            ..ItemChanges::default()
        };
        edit::update(conn, owner, viewer, &objective.id, closing, db::now())?;
        if *outcome == Outcome::NotSuccessful {
            short.push(objective.id);
        }
    }
    okr::carry_over(
        conn,
        owner,
        viewer,
        &last.id,
        &quarters.current.id,
        &CarryOver::Items(short),
    )?;
    Ok(())
}

/// Closes last quarter on its last day, so its statuses stand as they were then.
pub(super) fn close_last_quarter(
    conn: &mut AnyConnection,
    owner: &Actor,
    admin: &OrgAdminAccess,
    quarters: &Quarters,
) -> Result<(), DemoError> {
    let at = quarters.last.end_date.and_time(NaiveTime::MIN) + Duration::hours(17);
    cycles::change_state(
        conn,
        owner,
        admin,
        &quarters.last.id,
        StateChange::Close,
        at,
    )?;
    Ok(())
}
