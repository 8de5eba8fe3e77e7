//! What every full page shares: the signed-in person, the CSRF token, a one-time notice.

use askama::Template;

use super::identity::{SignedIn, Visitor};
use super::nav::Nav;
use crate::accounts::User;

pub struct UserChip {
    pub name: String,
    pub email: String,
    pub initials: String,
}

impl From<&User> for UserChip {
    fn from(user: &User) -> Self {
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            initials: initials(&user.name),
        }
    }
}

/// Up to two letters from a name, for the avatar.
fn initials(name: &str) -> String {
    let mut letters = name
        .split_whitespace()
        .filter_map(|word| word.chars().next());
    let first = letters.next();
    let last = letters.next_back();
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

pub struct Layout {
    pub title: String,
    pub csrf_token: String,
    pub user: Option<UserChip>,
    pub flash: Option<super::identity::Flash>,
    pub nav: Option<Nav>,
    /// Where this page really lives, when it answers a post to an address with no page
    /// (a refused create): the browser's address bar is put there, so reloading works.
    pub address: Option<String>,
}

impl Visitor {
    pub fn layout(&self, title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            csrf_token: self.csrf_token.clone(),
            user: self.user.as_ref().map(UserChip::from),
            flash: self.flash.clone(),
            nav: None,
            address: None,
        }
    }
}

impl SignedIn {
    pub fn layout(&self, title: &str, nav: Nav) -> Layout {
        Layout {
            title: title.to_owned(),
            csrf_token: self.csrf_token.clone(),
            user: Some(UserChip::from(&self.user)),
            flash: self.flash.clone(),
            nav: Some(nav),
            address: None,
        }
    }
}

/// A page that only says how something ended (a used invite, a one-time check-in saved or
/// used up), with the way back into Cairn.
#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage {
    layout: Layout,
    title: &'static str,
    message: String,
}

impl NoticePage {
    /// The notice, titled, as the answer with `status`.
    pub fn answer(
        visitor: &Visitor,
        status: actix_web::http::StatusCode,
        title: &'static str,
        message: String,
    ) -> Result<actix_web::HttpResponse, super::error::AppError> {
        super::with_status(
            status,
            Self {
                layout: visitor.layout(title),
                title,
                message,
            },
        )
    }
}

/// Validation messages by form field, shown next to the field.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl From<Vec<(&'static str, String)>> for FieldErrors {
    /// A domain type's problems, each by its field.
    fn from(problems: Vec<(&'static str, String)>) -> Self {
        Self(problems)
    }
}

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl ToString) {
        self.0.push((field, message.to_string()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    /// Removes and returns the message for a field.
    pub fn take(&mut self, field: &str) -> Option<String> {
        let index = self.0.iter().position(|(name, _)| *name == field)?;
        Some(self.0.remove(index).1)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds another form part's messages.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_first_and_last_word() {
        assert_eq!(initials("ada lovelace"), "AL");
        assert_eq!(initials("Grace Brewster Hopper"), "GH");
        assert_eq!(initials("Plato"), "P");
        assert_eq!(initials(""), "");
    }
}
