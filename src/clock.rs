//! The time the app runs on. In production it is the system clock; tests fix it and move it
//! forward, so that cadences, edit windows and pace are tested without sleeping.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

/// What time it is (UTC). Cheap to clone; clones of a fixed clock move together.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<NaiveDateTime>>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock standing still at `at` until it is moved.
    pub fn fixed(at: NaiveDateTime) -> Self {
        Self {
            fixed: Some(Arc::new(Mutex::new(at))),
        }
    }

    pub fn now(&self) -> NaiveDateTime {
        match &self.fixed {
            Some(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
            None => Utc::now().naive_utc(),
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// Moves a fixed clock forward (or back, with a negative duration); the system clock
    /// cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(at) = &self.fixed {
            let mut at = at.lock().unwrap_or_else(PoisonError::into_inner);
            *at += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_its_clones_move_with_it() {
        let start = NaiveDate::from_ymd_opt(2027, 1, 4)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap_or_default();
        let clock = Clock::fixed(start);
        let clone = clock.clone();
        assert_eq!(clock.now(), start);
        clone.advance(Duration::days(3));
        assert_eq!(clock.today(), start.date() + Duration::days(3));
    }
}
