//! A sudo line with the groups of the user who ran it (`UserGroups`) and whether one of
//! them is an administrators' group (`AdminGroupMember`, from `[logs] admin_groups`):
//! sudo granted to someone outside those groups means sudoers names them directly —
//! where intruders add themselves — or a delegation worth knowing about.

use vigie_model::event::field;
use vigie_model::EventDraft;

use crate::groups::Groups;

/// Adds the groups to `draft` when it is a sudo line naming its user.
pub fn add(draft: &mut EventDraft, groups: &mut Groups, admin_groups: &[String]) {
    if draft.fields.get(field::SERVICE).and_then(|v| v.as_str()) != Some("sudo") {
        return;
    }
    let Some(user) = draft.fields.get(field::USER).and_then(|v| v.as_str()) else {
        return;
    };
    let of_user = groups.of(user);
    let admin = of_user.iter().any(|g| admin_groups.contains(g)) || user == "root";
    draft
        .fields
        .insert(field::USER_GROUPS.into(), of_user.join(",").into());
    draft
        .fields
        .insert(field::ADMIN_GROUP_MEMBER.into(), admin.into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::event::Category;

    #[test]
    fn a_sudo_line_says_whether_its_user_administers() {
        let dir = tempfile::tempdir().unwrap();
        let (group, passwd) = (dir.path().join("group"), dir.path().join("passwd"));
        std::fs::write(&group, "sudo:x:27:ana\ndeploy:x:1001:\n").unwrap();
        std::fs::write(&passwd, "deploy:x:1001:1001::/srv:/bin/sh\n").unwrap();
        let mut groups = Groups::from_files(&group, &passwd);
        let admins = ["sudo".to_string(), "wheel".to_string()];
        let sudo = |user: &str| {
            EventDraft::now(Category::Log)
                .with(field::SERVICE, "sudo")
                .with(field::USER, user)
        };
        let mut d = sudo("ana");
        add(&mut d, &mut groups, &admins);
        assert_eq!(d.fields["AdminGroupMember"], true);
        assert_eq!(d.fields["UserGroups"], "sudo");
        let mut d = sudo("deploy");
        add(&mut d, &mut groups, &admins);
        assert_eq!(d.fields["AdminGroupMember"], false);
        assert_eq!(d.fields["UserGroups"], "deploy");
        let mut other = EventDraft::now(Category::Log)
            .with(field::SERVICE, "sshd")
            .with(field::USER, "deploy");
        add(&mut other, &mut groups, &admins);
        assert!(!other.fields.contains_key("AdminGroupMember"));
    }
}
