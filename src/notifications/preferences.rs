//! Which notifications a person wants by email, and when: at once, or in one daily digest at
//! an hour of their day. Without a stored choice every kind is emailed at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{NotificationError, NotificationKind};
use crate::db::AnyConnection;
use crate::schema::notification_preferences as prefs;
use crate::text_enum;

text_enum! {
    pub enum EmailDelivery {
        Immediate => "immediate",
        DailyDigest => "daily_digest",
    }
}

/// The local hour (0–23) a daily digest is sent at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestHour(i32);

impl DigestHour {
    pub const DEFAULT: Self = Self(8);

    pub fn parse(raw: &str) -> Result<Self, NotificationError> {
        raw.trim()
            .parse::<i32>()
            .map_err(|_| Self::refusal())
            .and_then(Self::new)
    }

    pub fn new(hour: i32) -> Result<Self, NotificationError> {
        if (0..24).contains(&hour) {
            Ok(Self(hour))
        } else {
            Err(Self::refusal())
        }
    }

    fn refusal() -> NotificationError {
        NotificationError::Invalid {
            field: "digest_hour",
            message: "Choose an hour from 0 to 23.".into(),
        }
    }

    pub fn value(self) -> i32 {
        self.0
    }
}

impl EmailDelivery {
    /// The delivery a form or body names.
    pub fn choose(raw: &str) -> Result<Self, NotificationError> {
        Self::parse(raw).ok_or_else(|| NotificationError::Invalid {
            field: "email_delivery",
            message: "Choose to get emails at once or in a daily digest.".into(),
        })
    }
}

/// A person's choice, as stored or the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationPreferences {
    pub mentioned: bool,
    /// Assigned to an item or made its owner.
    pub assigned: bool,
    pub comment: bool,
    pub check_in: bool,
    pub invite_accepted: bool,
    pub delivery: EmailDelivery,
    pub digest_hour: DigestHour,
}

impl Default for NotificationPreferences {
    fn default() -> Self {
        Self {
            mentioned: true,
            assigned: true,
            comment: true,
            check_in: true,
            invite_accepted: true,
            delivery: EmailDelivery::Immediate,
            digest_hour: DigestHour::DEFAULT,
        }
    }
}

impl NotificationPreferences {
    /// Whether this kind is wanted by email at all.
    pub fn emails(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::Mentioned => self.mentioned,
            NotificationKind::Assigned | NotificationKind::MadeOwner => self.assigned,
            NotificationKind::Comment => self.comment,
            NotificationKind::CheckIn => self.check_in,
            NotificationKind::InviteAccepted => self.invite_accepted,
        }
    }
}

type Row = (bool, bool, bool, bool, bool, EmailDelivery, i32);

pub fn get_preferences(
    conn: &mut AnyConnection,
    user_id: &str,
) -> QueryResult<NotificationPreferences> {
    let row: Option<Row> = prefs::table
        .find(user_id)
        .select((
            prefs::email_mentioned,
            prefs::email_assigned,
            prefs::email_comment,
            prefs::email_check_in,
            prefs::email_invite_accepted,
            prefs::email_delivery,
            prefs::digest_hour,
        ))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => NotificationPreferences::default(),
        Some((mentioned, assigned, comment, check_in, invite_accepted, delivery, hour)) => {
            NotificationPreferences {
                mentioned,
                assigned,
                comment,
                check_in,
                invite_accepted,
                delivery,
                digest_hour: DigestHour::new(hour).unwrap_or(DigestHour::DEFAULT),
            }
        }
    })
}

pub fn set_preferences(
    conn: &mut AnyConnection,
    user_id: &str,
    choice: &NotificationPreferences,
    now: NaiveDateTime,
) -> Result<(), NotificationError> {
    let values = (
        prefs::email_mentioned.eq(choice.mentioned),
        prefs::email_assigned.eq(choice.assigned),
        prefs::email_comment.eq(choice.comment),
        prefs::email_check_in.eq(choice.check_in),
        prefs::email_invite_accepted.eq(choice.invite_accepted),
        prefs::email_delivery.eq(choice.delivery),
        prefs::digest_hour.eq(choice.digest_hour.value()),
        prefs::updated_at.eq(now),
    );
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(prefs::table.find(user_id))
            .set(values)
            .execute(conn)?;
        if changed == 0 {
            diesel::insert_into(prefs::table)
                .values((prefs::user_id.eq(user_id), values))
                .execute(conn)?;
        }
        Ok(())
    })
}
