//! The mail section: SMTP (required in production) or files in the data folder, the sender,
//! and how the outbox retries and polls.

use std::path::Path;
use std::time::Duration;

use lettre::message::Mailbox;

use super::{invalid, ConfigError, Environment, Vars};
use crate::mail::{MailTransport, Mailer, RetryPolicy, SmtpSettings};

pub(super) fn mailer(
    vars: &Vars<'_>,
    environment: Environment,
    data_dir: &Path,
) -> Result<Mailer, ConfigError> {
    let transport = match vars.get("SMTP_URL") {
        Some(raw) => MailTransport::Smtp(
            SmtpSettings::parse(raw.trim()).map_err(|e| invalid("SMTP_URL", e.to_string()))?,
        ),
        None if environment == Environment::Production => {
            return Err(invalid(
                "SMTP_URL",
                "required when CAIRN_ENV=production, so invitations reach people",
            ))
        }
        None => MailTransport::Files(data_dir.join("outbox")),
    };
    let from_raw = vars
        .get("MAIL_FROM")
        .unwrap_or_else(|| "Cairn <cairn@localhost>".into());
    let from: Mailbox = from_raw.trim().parse().map_err(|_| {
        invalid(
            "MAIL_FROM",
            format!("expected an address like Cairn <okr@example.com>, got {from_raw:?}"),
        )
    })?;
    Ok(Mailer {
        transport,
        from,
        retry: RetryPolicy {
            base: Duration::from_secs(vars.number("OUTBOX_RETRY_SECONDS", 30, 1, 86_400)?),
            max_wait: Duration::from_secs(3600),
            max_attempts: vars.number("OUTBOX_MAX_ATTEMPTS", 12, 1, 1000)? as i32,
        },
    })
}

/// How often the outbox worker looks for due messages.
pub(super) fn outbox_poll(vars: &Vars<'_>) -> Result<Duration, ConfigError> {
    Ok(Duration::from_millis(vars.number(
        "OUTBOX_POLL_MILLIS",
        2000,
        10,
        3_600_000,
    )?))
}
