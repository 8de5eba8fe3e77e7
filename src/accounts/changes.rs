//! Changes a signed-in person makes to their own account: name, password (the current one
//! required; other sessions end) and deleting the account (refused while they are the last
//! owner of an organization).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{password, sessions, AccountError, DisplayName, Password, User};
use crate::db::{self, AnyConnection, Db};
use crate::schema::{org_members, organizations, pat, users, workspace_memberships};

pub fn change_name(
    conn: &mut AnyConnection,
    user_id: &str,
    name: &DisplayName,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    diesel::update(users::table.find(user_id))
        .set((users::name.eq(name.as_str()), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Checks the current password, off the executor (argon2 is slow on purpose).
async fn check_current(db: &Db, user_id: &str, current: String) -> Result<(), AccountError> {
    let id = user_id.to_owned();
    let stored: String = db
        .run(move |conn| {
            users::table
                .find(&id)
                .select(users::password_hash)
                .first(conn)
                .map_err(AccountError::from)
        })
        .await?;
    let right = super::off_the_executor(move || password::verify(&current, &stored)).await?;
    if right {
        Ok(())
    } else {
        Err(AccountError::WrongPassword)
    }
}

/// Sets a new password once the current one is given, and ends every session of the
/// account; the caller starts the current one again.
pub async fn change_password(
    db: &Db,
    user_id: &str,
    current: String,
    new: Password,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    check_current(db, user_id, current).await?;
    let hash = super::off_the_executor(move || super::hash_password(&new)).await??;
    let id = user_id.to_owned();
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            diesel::update(users::table.find(&id))
                .set((users::password_hash.eq(&hash), users::updated_at.eq(now)))
                .execute(conn)?;
            sessions::delete_all_for_user(conn, &id)?;
            Ok::<_, AccountError>(())
        })
    })
    .await
}

/// The organizations this person is the only owner of: each needs another owner first.
pub fn last_owner_of(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<String>> {
    let owned: Vec<(String, String)> = org_members::table
        .inner_join(organizations::table.on(organizations::id.eq(org_members::organization_id)))
        .filter(org_members::user_id.eq(user_id))
        .filter(org_members::role.eq("owner"))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    let mut alone = Vec::new();
    for (org_id, name) in owned {
        let owners: i64 = org_members::table
            .filter(org_members::organization_id.eq(&org_id))
            .filter(org_members::role.eq("owner"))
            .count()
            .get_result(conn)?;
        if owners == 1 {
            alone.push(name);
        }
    }
    Ok(alone)
}

/// Deletes the account once the password is given: it leaves every organization, its
/// memberships end, its tokens and sessions stop working, and its name and address are
/// wiped. What it wrote stays, under "Deleted user", so histories keep their shape.
pub async fn delete_account(
    db: &Db,
    user: &User,
    current: String,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    check_current(db, &user.id, current).await?;
    let id = user.id.clone();
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            let alone = last_owner_of(conn, &id)?;
            if !alone.is_empty() {
                return Err(AccountError::LastOwner(alone.join(", ")));
            }
            diesel::delete(org_members::table.filter(org_members::user_id.eq(&id)))
                .execute(conn)?;
            diesel::update(
                workspace_memberships::table.filter(workspace_memberships::user_id.eq(&id)),
            )
            .set((
                workspace_memberships::active.eq(false),
                workspace_memberships::updated_at.eq(now),
            ))
            .execute(conn)?;
            diesel::update(pat::table.filter(pat::user_id.eq(&id)))
                .filter(pat::revoked_at.is_null())
                .set(pat::revoked_at.eq(now))
                .execute(conn)?;
            diesel::update(users::table.find(&id))
                .set((
                    users::name.eq("Deleted user"),
                    users::email.eq(format!("deleted-{id}@deleted.invalid")),
                    users::password_hash.eq(crate::mail::no_link_yet()),
                    users::disabled_at.eq(now),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
            sessions::delete_all_for_user(conn, &id)?;
            Ok(())
        })
    })
    .await
}
