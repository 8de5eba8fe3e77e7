//! The API's names for the domain's enums, spelt as the domain stores them (`key_result`,
//! `increase_to`, `on_track`, `not_successful`), each with its conversions both ways.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cycles::{CycleState, Outcome};
use crate::invites::InviteStatus;
use crate::mail::DeliveryStatus;
use crate::okr::measure::{Measure, MetricKind};
use crate::okr::status::Status;
use crate::okr::{ActionStatus, ItemType};
use crate::orgs::{OrgRole, RevenuePeriod};
use crate::reports::ReportStatus;
use crate::scrape::{ProfileField, ScrapeStatus, Source};
use crate::webhooks::DeliveryState;

/// An API name for each variant of a domain enum, spelt as the domain stores it.
macro_rules! api_names {
    ($($(#[$doc:meta])* $name:ident for $domain:ident { $($variant:ident),+ $(,)? })+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value {
                    $($domain::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    )+};
}

api_names! {
    ItemTypeName for ItemType { Objective, KeyResult, Action }
    ActionStatusName for ActionStatus { Pending, WorkInProgress, Done }
    /// What a key result's progress comes from.
    MeasureName for Measure { Actions, Metric, Milestone }
    /// How a metric should move from its baseline to its target.
    MetricKindName for MetricKind { IncreaseTo, DecreaseTo, StayAtOrAbove, StayAtOrBelow }
    /// Derived from check-ins and progress, never set.
    StatusName for Status { OnTrack, AtRisk, OffTrack, NoUpdate, Done }
    /// planning → active → closed; a reopened cycle is active again.
    CycleStateName for CycleState { Planning, Active, Closed }
    /// How an objective ended when its cycle closed.
    OutcomeName for Outcome { Successful, NotSuccessful }
    /// The period a revenue figure covers.
    RevenuePeriodName for RevenuePeriod { Year, Quarter, Month }
    /// A person's role in an organization.
    OrgRoleName for OrgRole { Owner, Admin, Member }
    /// An invite's state; a pending invite past its expiry reads as expired.
    InviteStatusName for InviteStatus { Pending, Accepted, Expired, Revoked }
    /// The invite email's delivery: superseded or withdrawn emails read as cancelled.
    DeliveryStatusName for DeliveryStatus { Pending, Sending, Sent, Failed, Cancelled }
    /// Where a webhook delivery stands.
    DeliveryStateName for DeliveryState { Pending, Sending, Delivered, Failed }
    /// Where a report's build stands.
    ReportStatusName for ReportStatus { Pending, Running, Done, Failed }
    /// Where a website scrape stands.
    ScrapeStatusName for ScrapeStatus { Pending, Running, Done, Failed }
    /// A profile field a scrape can suggest, named as `PATCH /orgs/{org_id}` names it.
    ProfileFieldName for ProfileField {
        Name, Industry, Website, CustomerNames, EmployeeCountMin, EmployeeCountMax,
        AddressStreet, AddressPostalCode, AddressCity, AddressCountry,
    }
    /// Where a suggested value was read.
    SuggestionSourceName for Source {
        JsonLd, Microdata, OpenGraph, MetaDescription, Title, PageAddress, VisibleText, Llm,
    }
}
