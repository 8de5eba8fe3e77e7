//! How the demo's key results are measured and what their owners said over the last weeks:
//! metrics that increase, decrease and hold a line, a milestone, and key results measured
//! by their actions, with check-ins in every confidence band. Every status shows (on track,
//! at risk, off track, no update, done) and some items are behind pace. Fixed tables, not
//! the demo's random numbers, so the rest of the demo stays as it was.

use chrono::{Duration, NaiveDate, NaiveTime};

use super::DemoError;
use crate::activity::Actor;
use crate::db::AnyConnection;
use crate::okr::check_ins::{self, CheckInDraft, Confidence};
use crate::okr::measure::{KeyResultMeasure, Metric, MetricKind, Number};
use crate::scope::Viewer;

/// How one key result is measured.
enum Measured {
    /// Progress from its actions (the default).
    Actions,
    /// Kind, baseline, target, unit, decimals.
    Metric(MetricKind, &'static str, &'static str, &'static str, u32),
    Milestone,
}

/// One check-in: how many days before the demo's today, the reading (a metric's value;
/// "done" or "" for a milestone; "" for actions), the confidence and the note.
struct Said(i64, &'static str, i64, &'static str);

struct Story {
    key_result: &'static str,
    measured: Measured,
    /// Oldest first.
    said: &'static [Said],
}

const STORIES: &[Story] = &[
    // Product: "Make onboarding effortless" is at risk, and behind pace.
    Story {
        key_result: "Activation within 7 days from 32% to 45%",
        measured: Measured::Metric(MetricKind::IncreaseTo, "32", "45", "%", 0),
        said: &[
            Said(28, "33", 7, "Checklist is in beta with ten teams."),
            Said(21, "34", 6, ""),
            Said(
                14,
                "35",
                5,
                "Sample data helps, but fewer teams finish setup than we hoped.",
            ),
            Said(7, "36", 5, ""),
            Said(
                2,
                "36",
                4,
                "Flat for two weeks. **Funnel instrumentation** comes first.",
            ),
        ],
    },
    Story {
        key_result: "Time to first objective under 5 minutes",
        measured: Measured::Metric(MetricKind::DecreaseTo, "12", "5", "min", 1),
        said: &[
            Said(27, "11", 8, ""),
            Said(20, "9.5", 8, "The three-field sign-up form is live."),
            Said(13, "8", 8, ""),
            Said(6, "7.2", 9, "Templates cut another minute."),
        ],
    },
    Story {
        key_result: "Onboarding satisfaction score of 8 or more",
        measured: Measured::Metric(MetricKind::StayAtOrAbove, "7.2", "8", "", 1),
        said: &[
            Said(30, "7.6", 6, ""),
            Said(23, "7.8", 6, ""),
            Said(
                16,
                "7.9",
                6,
                "Survey paused while support is short-staffed.",
            ),
        ],
    },
    // Product: "Be fast everywhere" is off track.
    Story {
        key_result: "Tree page under 50 ms at 1,000 items",
        measured: Measured::Metric(MetricKind::DecreaseTo, "120", "50", "ms", 0),
        said: &[
            Said(26, "110", 7, ""),
            Said(19, "92", 7, "Per-row queries are gone."),
            Said(12, "70", 8, ""),
            Said(5, "58", 8, ""),
        ],
    },
    Story {
        key_result: "Board drags saved within 100 ms",
        measured: Measured::Metric(MetricKind::StayAtOrBelow, "140", "100", "ms", 0),
        said: &[
            Said(24, "140", 4, ""),
            Said(17, "120", 5, ""),
            Said(10, "96", 7, "Batched writes did it."),
            Said(3, "88", 8, ""),
        ],
    },
    Story {
        key_result: "99.9% of requests succeed",
        measured: Measured::Metric(MetricKind::StayAtOrAbove, "99.95", "99.9", "%", 2),
        said: &[
            Said(22, "99.95", 8, ""),
            Said(15, "99.7", 3, "Two database fail-overs this week."),
            Said(8, "99.6", 2, ""),
            Said(
                1,
                "99.5",
                2,
                "Retries are not enough; we need the readiness checks live.",
            ),
        ],
    },
    // Product: "Earn enterprise trust" is on track.
    Story {
        key_result: "Pass the security review of three large customers",
        measured: Measured::Metric(MetricKind::IncreaseTo, "0", "3", "reviews", 0),
        said: &[
            Said(21, "0", 6, ""),
            Said(14, "1", 7, "Globex signed off."),
            Said(7, "1", 7, ""),
            Said(3, "2", 8, "Initech passed with two minor findings."),
        ],
    },
    Story {
        key_result: "Single sign-on for all paid plans",
        measured: Measured::Milestone,
        said: &[
            Said(20, "", 6, ""),
            Said(13, "", 7, "Tested with two identity providers."),
            Said(6, "done", 10, "SSO is on for every paid plan."),
        ],
    },
    Story {
        key_result: "Zero data-loss incidents",
        measured: Measured::Actions,
        said: &[
            Said(18, "", 8, ""),
            Said(11, "", 8, "Nightly backups are automated."),
            Said(4, "", 9, ""),
        ],
    },
    // Go-to-market: "Grow recurring revenue" is off track, and behind pace.
    Story {
        key_result: "ARR from 1.2M to 2M",
        measured: Measured::Metric(MetricKind::IncreaseTo, "1.2", "2", "M€", 2),
        said: &[
            Said(28, "1.25", 7, ""),
            Said(21, "1.31", 6, ""),
            Said(14, "1.36", 5, "Two renewals slipped to next quarter."),
            Said(7, "1.40", 4, ""),
            Said(
                2,
                "1.42",
                3,
                "Pipeline is thin; the win-back campaign starts Monday.",
            ),
        ],
    },
    Story {
        key_result: "Net revenue retention above 110%",
        measured: Measured::Metric(MetricKind::StayAtOrAbove, "112", "110", "%", 0),
        said: &[
            Said(20, "111", 7, ""),
            Said(13, "109", 5, ""),
            Said(6, "108", 5, "Seat expansion is slower than planned."),
        ],
    },
    Story {
        key_result: "Sales cycle under 30 days",
        measured: Measured::Metric(MetricKind::DecreaseTo, "45", "30", "days", 0),
        said: &[
            Said(26, "44", 6, ""),
            Said(19, "41", 7, ""),
            Said(12, "38", 7, "Case studies are in every proposal."),
            Said(5, "35", 7, ""),
        ],
    },
    // Go-to-market: "Become the OKR tool teams recommend" has gone quiet (no update).
    Story {
        key_result: "NPS from 31 to 45",
        measured: Measured::Metric(MetricKind::IncreaseTo, "31", "45", "", 0),
        said: &[
            Said(21, "32", 6, ""),
            Said(14, "34", 6, "Detractor calls are booked."),
        ],
    },
    Story {
        key_result: "200 customer reviews on software directories",
        measured: Measured::Metric(MetricKind::IncreaseTo, "40", "200", "reviews", 0),
        said: &[
            Said(24, "52", 7, ""),
            Said(17, "68", 7, ""),
            Said(10, "85", 8, ""),
            Said(3, "104", 8, "The 30-day review prompt works."),
        ],
    },
    Story {
        key_result: "Referral share of sign-ups at 20%",
        measured: Measured::Actions,
        said: &[],
    },
];

fn story(key_result: &str) -> Option<&'static Story> {
    STORIES.iter().find(|s| s.key_result == key_result)
}

fn invalid(key_result: &str, e: impl std::fmt::Debug) -> DemoError {
    DemoError::Invalid(format!("{key_result}: {e:?}"))
}

/// The measure a demo key result is created with.
pub(super) fn measure_of(key_result: &str) -> Result<KeyResultMeasure, DemoError> {
    let Some(story) = story(key_result) else {
        return Ok(KeyResultMeasure::Actions);
    };
    Ok(match story.measured {
        Measured::Actions => KeyResultMeasure::Actions,
        Measured::Milestone => KeyResultMeasure::Milestone,
        Measured::Metric(kind, baseline, target, unit, decimals) => {
            let number = |raw| Number::parse(raw, decimals, "value");
            let (baseline, target) = (number(baseline), number(target));
            let metric = Metric::new(
                kind,
                baseline.map_err(|e| invalid(key_result, e))?,
                target.map_err(|e| invalid(key_result, e))?,
                Some(unit.to_owned()).filter(|u| !u.is_empty()),
                decimals,
            );
            KeyResultMeasure::Metric(metric.map_err(|e| invalid(key_result, e))?)
        }
    })
}

/// Records what the owner (`author`) said about the key result over the last weeks, each
/// check-in written on the day it speaks for.
pub(super) fn check_in(
    conn: &mut AnyConnection,
    author: &Actor,
    viewer: &Viewer,
    key_result: (&str, &str),
    today: NaiveDate,
) -> Result<(), DemoError> {
    let (id, title) = key_result;
    let Some(story) = story(title) else {
        return Ok(());
    };
    for Said(days_ago, reading, confidence, note) in story.said {
        let (value, done) = match story.measured {
            Measured::Metric(..) => (Some((*reading).to_owned()), None),
            Measured::Milestone => (None, Some(*reading == "done")),
            Measured::Actions => (None, None),
        };
        let draft = CheckInDraft {
            value,
            done,
            confidence: Confidence::new(*confidence).map_err(|e| invalid(title, e))?,
            note: check_ins::note(note).map_err(|e| invalid(title, e))?,
            effective_on: None,
        };
        let written =
            (today - Duration::days(*days_ago)).and_time(NaiveTime::MIN) + Duration::hours(9);
        check_ins::add(conn, author, viewer, id, draft, written)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_story_names_a_key_result_of_the_plans_and_its_measure_is_valid() {
        let titles: Vec<&str> = super::super::plans::PRODUCT
            .iter()
            .chain(super::super::plans::GO_TO_MARKET)
            .flat_map(|plan| plan.key_results.iter().map(|(title, _)| *title))
            .collect();
        for story in STORIES {
            assert!(titles.contains(&story.key_result), "{}", story.key_result);
            assert!(measure_of(story.key_result).is_ok(), "{}", story.key_result);
            let days: Vec<i64> = story.said.iter().map(|s| s.0).collect();
            assert!(days.windows(2).all(|w| w[0] > w[1]), "oldest first");
        }
    }
}
