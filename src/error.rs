//! One vocabulary of failure. Every domain error says which kind it is, here, once; each
//! surface (pages and htmx fragments in `web::error`, the JSON API in `web::api::error`) maps
//! the kinds once. A new variant must be placed in this file, or the build fails.

use std::error::Error;

use crate::accounts::AccountError;
use crate::comments::CommentError;
use crate::cycles::CycleError;
use crate::db::{self, DbError};
use crate::invites::InviteError;
use crate::notifications::NotificationError;
use crate::okr::OkrError;
use crate::orgs::OrgError;
use crate::reminders::ReminderError;
use crate::reports::ReportError;
use crate::scrape::ScrapeError;
use crate::skills::SkillsError;
use crate::tokens::TokenError;
use crate::webhooks::WebhookError;

/// What went wrong, as the person asking needs to hear it.
#[derive(Debug)]
pub enum ErrorKind {
    /// Missing, or hidden from this person: hidden answers exactly like missing.
    NotFound,
    /// No valid credentials (an API token); pages send people to log in instead.
    Unauthenticated,
    /// Seen, but not allowed; the message says why.
    Forbidden(String),
    /// Clashes with what exists: a taken address, an existing member, a used invite.
    Conflict(String),
    /// The rules refuse the input; `field` names the field where there is one.
    Invalid {
        field: Option<&'static str>,
        message: String,
    },
    /// A request no form sends, such as text with a NUL character (PostgreSQL cannot store
    /// it).
    BadRequest(String),
    /// Ours, not the caller's: the source is kept for the log and never shown.
    Internal(Box<dyn Error + Send + Sync>),
}

impl ErrorKind {
    fn refused(message: impl ToString) -> Self {
        Self::Invalid {
            field: None,
            message: message.to_string(),
        }
    }
}

/// An error of the domain, which knows its kind.
pub trait DomainError {
    fn kind(self) -> ErrorKind;
}

impl DomainError for DbError {
    fn kind(self) -> ErrorKind {
        match self {
            DbError::Query(diesel::result::Error::NotFound) => ErrorKind::NotFound,
            DbError::Query(e) if db::is_nul_in_text(&e) => {
                ErrorKind::BadRequest(db::NUL_IN_TEXT.into())
            }
            other => ErrorKind::Internal(Box::new(other)),
        }
    }
}

impl DomainError for diesel::result::Error {
    fn kind(self) -> ErrorKind {
        DbError::Query(self).kind()
    }
}

impl DomainError for AccountError {
    fn kind(self) -> ErrorKind {
        match self {
            AccountError::Db(e) => e.kind(),
            e @ AccountError::EmailTaken => ErrorKind::Conflict(e.to_string()),
            e @ (AccountError::InvalidCredentials | AccountError::Throttled { .. }) => {
                ErrorKind::refused(e)
            }
            e @ (AccountError::Hashing(_) | AccountError::Render(_)) => {
                ErrorKind::Internal(Box::new(e))
            }
            e @ AccountError::WrongPassword => ErrorKind::Invalid {
                field: Some("current_password"),
                message: e.to_string(),
            },
            e @ AccountError::LastOwner(_) => ErrorKind::Forbidden(e.to_string()),
            AccountError::LinkUnusable => ErrorKind::NotFound,
        }
    }
}

impl DomainError for OrgError {
    fn kind(self) -> ErrorKind {
        match self {
            OrgError::NotFound => ErrorKind::NotFound,
            OrgError::Db(e) => e.kind(),
            e @ (OrgError::NotAdmin(_)
            | OrgError::NotOwner
            | OrgError::NotWorkspaceAdmin(_)
            | OrgError::Archived(_)) => ErrorKind::Forbidden(e.to_string()),
            e @ (OrgError::SlugTaken | OrgError::AlreadyMember(_)) => {
                ErrorKind::Conflict(e.to_string())
            }
            e @ (OrgError::ManagerNotMember
            | OrgError::OwnManager
            | OrgError::ManagerCycle { .. }) => ErrorKind::Invalid {
                field: Some("manager_user_id"),
                message: e.to_string(),
            },
            e @ (OrgError::LastOwner | OrgError::NotOrgMember) => ErrorKind::refused(e),
        }
    }
}

/// One field's problem, named as forms and the API name it.
impl DomainError for crate::fields::FieldError {
    fn kind(self) -> ErrorKind {
        ErrorKind::Invalid {
            field: Some(self.field),
            message: self.message,
        }
    }
}

impl DomainError for NotificationError {
    fn kind(self) -> ErrorKind {
        match self {
            NotificationError::NotFound => ErrorKind::NotFound,
            NotificationError::Invalid { field, message } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
            e @ NotificationError::Render(_) => ErrorKind::Internal(Box::new(e)),
            NotificationError::Db(e) => e.kind(),
        }
    }
}

impl DomainError for OkrError {
    fn kind(self) -> ErrorKind {
        match self {
            OkrError::NotFound => ErrorKind::NotFound,
            OkrError::Org(e) => e.kind(),
            OkrError::Cycle(e) => e.kind(),
            OkrError::Db(e) => e.kind(),
            e @ (OkrError::NotYours | OkrError::CheckInLocked) => {
                ErrorKind::Forbidden(e.to_string())
            }
            OkrError::Refused(message) => ErrorKind::refused(message),
            e @ (OkrError::AlreadyLinked | OkrError::AlreadyCarried { .. }) => {
                ErrorKind::Conflict(e.to_string())
            }
            OkrError::Field { field, message } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
        }
    }
}

impl DomainError for CommentError {
    fn kind(self) -> ErrorKind {
        match self {
            CommentError::NotFound => ErrorKind::NotFound,
            CommentError::Org(e) => e.kind(),
            CommentError::Db(e) => e.kind(),
            e @ CommentError::NotYours => ErrorKind::Forbidden(e.to_string()),
            CommentError::Field { field, message } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
        }
    }
}

impl DomainError for CycleError {
    fn kind(self) -> ErrorKind {
        match self {
            CycleError::NotFound => ErrorKind::NotFound,
            CycleError::Org(e) => e.kind(),
            CycleError::Db(e) => e.kind(),
            e @ (CycleError::Closed(_)
            | CycleError::NameTaken(_)
            | CycleError::Overlap(_)
            | CycleError::State(_)) => ErrorKind::Conflict(e.to_string()),
            CycleError::Field { field, message } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
        }
    }
}

impl DomainError for WebhookError {
    fn kind(self) -> ErrorKind {
        match self {
            WebhookError::NotFound => ErrorKind::NotFound,
            WebhookError::Org(e) => e.kind(),
            WebhookError::Db(e) => e.kind(),
            e @ WebhookError::TooMany => ErrorKind::Conflict(e.to_string()),
            WebhookError::Field { field, message } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
        }
    }
}

impl DomainError for ReportError {
    fn kind(self) -> ErrorKind {
        match self {
            ReportError::NotFound => ErrorKind::NotFound,
            ReportError::Org(e) => e.kind(),
            ReportError::Cycle(e) => e.kind(),
            ReportError::Db(e) => e.kind(),
            e @ ReportError::NotFailed => ErrorKind::Conflict(e.to_string()),
            ReportError::Field { field, message } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
        }
    }
}

impl DomainError for SkillsError {
    fn kind(self) -> ErrorKind {
        match self {
            SkillsError::NotFound => ErrorKind::NotFound,
            SkillsError::Org(e) => e.kind(),
            SkillsError::Db(e) => e.kind(),
            e @ SkillsError::NotYours(_) => ErrorKind::Forbidden(e.to_string()),
            SkillsError::Invalid(mut problems) if !problems.is_empty() => {
                problems.swap_remove(0).kind()
            }
            e @ SkillsError::Invalid(_) => ErrorKind::refused(e),
        }
    }
}

impl DomainError for ScrapeError {
    fn kind(self) -> ErrorKind {
        match self {
            ScrapeError::NotFound => ErrorKind::NotFound,
            ScrapeError::Org(e) => e.kind(),
            ScrapeError::Db(e) => e.kind(),
            e @ ScrapeError::OptInOff => ErrorKind::Forbidden(e.to_string()),
            e @ (ScrapeError::AlreadyRunning | ScrapeError::NotFinished) => {
                ErrorKind::Conflict(e.to_string())
            }
            ScrapeError::Field { field, message } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
            ScrapeError::Profile(mut problems) => {
                let (field, message) = problems.swap_remove(0);
                ErrorKind::Invalid {
                    field: Some(field),
                    message,
                }
            }
        }
    }
}

impl DomainError for InviteError {
    fn kind(self) -> ErrorKind {
        match self {
            InviteError::NotFound => ErrorKind::NotFound,
            InviteError::Org(e) => e.kind(),
            InviteError::Db(e) => e.kind(),
            InviteError::Account(e) => e.kind(),
            e @ InviteError::Template(_) => ErrorKind::Internal(Box::new(e)),
            e @ (InviteError::WrongAccount { .. } | InviteError::NotInviter(_)) => {
                ErrorKind::Forbidden(e.to_string())
            }
            e @ (InviteError::AlreadyUsed
            | InviteError::AlreadyPending
            | InviteError::Expired
            | InviteError::Revoked) => ErrorKind::Conflict(e.to_string()),
        }
    }
}

impl DomainError for ReminderError {
    fn kind(self) -> ErrorKind {
        match self {
            ReminderError::NotFound => ErrorKind::NotFound,
            ReminderError::Db(e) => e.kind(),
            e @ ReminderError::Render(_) => ErrorKind::Internal(Box::new(e)),
            e @ (ReminderError::Used | ReminderError::Expired) => {
                ErrorKind::Conflict(e.to_string())
            }
            e @ ReminderError::NothingFilled => ErrorKind::refused(e),
            ReminderError::Field { field, message, .. } => ErrorKind::Invalid {
                field: Some(field),
                message,
            },
        }
    }
}

impl DomainError for TokenError {
    fn kind(self) -> ErrorKind {
        match self {
            TokenError::NotFound => ErrorKind::NotFound,
            TokenError::Unauthorized => ErrorKind::Unauthenticated,
            TokenError::Db(e) => e.kind(),
        }
    }
}

/// The error and every cause below it, for one log line.
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": caused by ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
