//! What only Discord knows about who is asking: whether the member has Manage Server (or
//! Administrator) in the interaction's channel. The classroom layer holds the one rule of who
//! is an instructor (`App::is_instructor`: that, or the server's instructor role) and checks
//! it in every privileged operation; the bot never decides who may do what.
//!
//! Invariant: the permission is read on every interaction, from what that interaction carries
//! (`member.permissions`), never from which commands a member can see, which a server admin
//! can change in Discord.

use poise::serenity_prelude::Permissions;

/// Whether a member with these permissions (as the interaction reports them, in its channel)
/// manages the server: Manage Server or Administrator.
pub fn manages_server(permissions: Option<Permissions>) -> bool {
    permissions.is_some_and(|p| p.intersects(Permissions::MANAGE_GUILD | Permissions::ADMINISTRATOR))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDENT: u64 = 1071698660929 & !(1 << 5) & !(1 << 3);

    #[test]
    fn manage_server_or_administrator_manage_the_server() {
        assert!(!manages_server(Some(Permissions::from_bits_truncate(STUDENT))));
        assert!(manages_server(Some(Permissions::MANAGE_GUILD)));
        assert!(manages_server(Some(Permissions::ADMINISTRATOR)));
        assert!(!manages_server(None), "no member (a direct message): nobody manages anything");
    }
}
