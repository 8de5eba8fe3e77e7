//! Calendar bounds every dated thing shares (plans, cycles), below the modules that use them.

/// The years a plan's dates may fall in: wide enough for any real plan, and far enough
/// from chrono's limits that date arithmetic on the gantt never overflows.
pub const PLAN_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;
