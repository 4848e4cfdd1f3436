//! What the scores feature's own commands send that `discord::views` does not hold: the class
//! page's link and its revocation.

use crate::app::DashboardLink;
use crate::discord::render::Reply;

/// The link, for the instructor alone.
pub fn link(link: &DashboardLink) -> Reply {
    Reply::notice(format!(
        "Your link to this server's class page, until <t:{}:f> (anyone who has it can read the page; `/dashboard revoke` ends every link):\n{}",
        link.expires_at.div_euclid(1000),
        link.url
    ))
}

/// Every link issued so far is dead.
pub fn links_revoked() -> Reply {
    Reply::notice("Every link to this server's class page issued so far no longer works. Run `/dashboard open` for a new one.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_private_and_fits_a_message() {
        let url = format!("https://agora.example.edu/dashboard/v1.123456789012345678.1800000000000.0.{}", "ab".repeat(32));
        let reply = link(&DashboardLink { url: url.clone(), expires_at: 1_800_000_000_000 });
        assert!(reply.ephemeral && reply.problems().is_empty());
        assert!(reply.content.as_deref().unwrap().ends_with(&url) && reply.content.as_deref().unwrap().contains("<t:1800000000:f>"));
    }
}
