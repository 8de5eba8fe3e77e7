//! The secret in an emailed link (an invite, a one-time check-in): minted when the email is
//! sent, kept in the database only as its SHA-256, and checked from the link followed.

use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe. Not `Debug`, never logged.
pub struct LinkToken(String);

impl LinkToken {
    pub(crate) fn generate() -> Self {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as it arrives in a URL; anything that cannot be one is refused outright.
    pub fn from_link(raw: &str) -> Option<Self> {
        let plausible = raw.len() == 43
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// A hash no link matches: what a row holds until its email is sent.
pub(crate) fn no_link_yet() -> String {
    LinkToken::generate().digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = LinkToken::generate();
        let b = LinkToken::generate();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 43, "256 bits in unpadded base64url");
        assert!(LinkToken::from_link(a.as_str()).is_some());
        assert!(LinkToken::from_link("short").is_none());
        assert!(LinkToken::from_link(&format!("{}/", &a.as_str()[..42])).is_none());
        assert_eq!(a.digest().len(), 64, "hex SHA-256");
        assert_ne!(a.digest(), a.as_str());
    }
}
