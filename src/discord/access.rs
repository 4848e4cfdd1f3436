//! Who may do what: an instructor is a member with Manage Server (or Administrator) or the
//! server's instructor role; everybody else is a student.
//!
//! Invariant: the check runs on every interaction, from what that interaction carries
//! (`member.permissions`, the member's roles) and the server's settings as stored now, never
//! from which commands a member can see, which a server admin can change in Discord.

use poise::serenity_prelude as serenity;
use serenity::{Member, Permissions, RoleId};

use super::error::{Error, Result};

/// Whether a member with these permissions (as the interaction reports them, in its channel)
/// and roles is an instructor of a server whose instructor role is `instructor_role`.
pub fn is_instructor(permissions: Option<Permissions>, roles: &[RoleId], instructor_role: Option<RoleId>) -> bool {
    let by_permission = permissions.is_some_and(|p| p.intersects(Permissions::MANAGE_GUILD | Permissions::ADMINISTRATOR));
    let by_role = instructor_role.is_some_and(|r| roles.contains(&r));
    by_permission || by_role
}

/// The instructor role a server's settings name (a role id as text), if any.
pub fn role_id(setting: Option<&str>) -> anyhow::Result<Option<RoleId>> {
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<u64>() {
            Ok(id) if id != 0 => Ok(Some(RoleId::new(id))),
            _ => anyhow::bail!("the server's settings name an instructor_role that is not a role id: {s}"),
        },
    }
}

/// Refuses, with a sentence the member can act on, unless `member` is an instructor.
/// `action` completes "Only an instructor can …".
pub fn require_instructor(member: Option<&Member>, instructor_role: Option<RoleId>, action: &str) -> Result<()> {
    let Some(member) = member else {
        return Err(Error::user(format!("Only an instructor can {action}, and only in a server: run this command in your class's server.")));
    };
    if is_instructor(member.permissions, &member.roles, instructor_role) {
        return Ok(());
    }
    let how = match instructor_role {
        Some(role) => format!("the Manage Server permission or the <@&{role}> role"),
        None => "the Manage Server permission".to_string(),
    };
    Err(Error::user(format!("Only an instructor can {action}. Instructors are members with {how}; ask your instructor if you need this.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDENT: u64 = 1071698660929 & !(1 << 5) & !(1 << 3);

    #[test]
    fn manage_server_administrator_or_the_role_make_an_instructor() {
        let role = RoleId::new(77);
        let student = Some(Permissions::from_bits_truncate(STUDENT));
        assert!(!is_instructor(student, &[], Some(role)));
        assert!(!is_instructor(student, &[RoleId::new(78)], Some(role)));
        assert!(is_instructor(student, &[role], Some(role)));
        assert!(is_instructor(Some(Permissions::MANAGE_GUILD), &[], None));
        assert!(is_instructor(Some(Permissions::ADMINISTRATOR), &[], None));
        assert!(!is_instructor(None, &[], None));
    }

    #[test]
    fn the_instructor_role_is_read_from_the_settings_and_checked() {
        assert_eq!(role_id(None).unwrap(), None);
        assert_eq!(role_id(Some(" ")).unwrap(), None);
        assert_eq!(role_id(Some("42")).unwrap(), Some(RoleId::new(42)));
        let e = role_id(Some("teachers")).unwrap_err().to_string();
        assert!(e.contains("not a role id") && e.contains("teachers"), "{e}");
    }
}
