//! MITRE ATT&CK technique names for the ids rules carry (`attack.t1059.004`), so alerts
//! name what a technique is without a trip to the Internet. Names are ATT&CK's own
//! (English, as the framework publishes them). An id not listed is shown as it is.

/// Technique id (upper case, as ATT&CK writes it) and name.
const TECHNIQUES: &[(&str, &str)] = &[
    ("T1003", "OS Credential Dumping"),
    ("T1005", "Data from Local System"),
    ("T1007", "System Service Discovery"),
    ("T1014", "Rootkit"),
    ("T1016", "System Network Configuration Discovery"),
    ("T1018", "Remote System Discovery"),
    ("T1021", "Remote Services"),
    ("T1021.004", "Remote Services: SSH"),
    ("T1027", "Obfuscated Files or Information"),
    (
        "T1027.001",
        "Obfuscated Files or Information: Binary Padding",
    ),
    (
        "T1027.003",
        "Obfuscated Files or Information: Steganography",
    ),
    (
        "T1027.010",
        "Obfuscated Files or Information: Command Obfuscation",
    ),
    (
        "T1027.011",
        "Obfuscated Files or Information: Fileless Storage",
    ),
    ("T1030", "Data Transfer Size Limits"),
    ("T1033", "System Owner/User Discovery"),
    ("T1036", "Masquerading"),
    ("T1036.003", "Masquerading: Rename Legitimate Utilities"),
    ("T1040", "Network Sniffing"),
    ("T1046", "Network Service Discovery"),
    ("T1048", "Exfiltration Over Alternative Protocol"),
    ("T1048.003", "Exfiltration Over Unencrypted Non-C2 Protocol"),
    ("T1049", "System Network Connections Discovery"),
    ("T1053", "Scheduled Task/Job"),
    ("T1053.002", "Scheduled Task/Job: At"),
    ("T1053.003", "Scheduled Task/Job: Cron"),
    ("T1055", "Process Injection"),
    ("T1055.009", "Process Injection: Proc Memory"),
    ("T1056", "Input Capture"),
    ("T1056.001", "Input Capture: Keylogging"),
    ("T1057", "Process Discovery"),
    ("T1059", "Command and Scripting Interpreter"),
    ("T1059.004", "Command and Scripting Interpreter: Unix Shell"),
    ("T1059.006", "Command and Scripting Interpreter: Python"),
    (
        "T1059.012",
        "Command and Scripting Interpreter: Hypervisor CLI",
    ),
    ("T1068", "Exploitation for Privilege Escalation"),
    ("T1069", "Permission Groups Discovery"),
    ("T1069.001", "Permission Groups Discovery: Local Groups"),
    ("T1070", "Indicator Removal"),
    (
        "T1070.002",
        "Indicator Removal: Clear Linux or Mac System Logs",
    ),
    ("T1070.003", "Indicator Removal: Clear Command History"),
    ("T1070.004", "Indicator Removal: File Deletion"),
    ("T1070.006", "Indicator Removal: Timestomp"),
    ("T1071", "Application Layer Protocol"),
    ("T1071.001", "Application Layer Protocol: Web Protocols"),
    ("T1082", "System Information Discovery"),
    ("T1083", "File and Directory Discovery"),
    ("T1087", "Account Discovery"),
    ("T1087.001", "Account Discovery: Local Account"),
    ("T1090", "Proxy"),
    ("T1095", "Non-Application Layer Protocol"),
    ("T1098", "Account Manipulation"),
    ("T1098.004", "Account Manipulation: SSH Authorized Keys"),
    ("T1102", "Web Service"),
    ("T1105", "Ingress Tool Transfer"),
    ("T1106", "Native API"),
    ("T1110", "Brute Force"),
    ("T1113", "Screen Capture"),
    ("T1115", "Clipboard Data"),
    ("T1123", "Audio Capture"),
    ("T1133", "External Remote Services"),
    ("T1136", "Create Account"),
    ("T1136.001", "Create Account: Local Account"),
    ("T1140", "Deobfuscate/Decode Files or Information"),
    ("T1190", "Exploit Public-Facing Application"),
    ("T1201", "Password Policy Discovery"),
    ("T1203", "Exploitation for Client Execution"),
    ("T1204", "User Execution"),
    ("T1204.001", "User Execution: Malicious Link"),
    ("T1210", "Exploitation of Remote Services"),
    ("T1212", "Exploitation for Credential Access"),
    ("T1219", "Remote Access Tools"),
    ("T1222", "File and Directory Permissions Modification"),
    (
        "T1222.002",
        "File and Directory Permissions Modification: Linux and Mac",
    ),
    ("T1485", "Data Destruction"),
    ("T1489", "Service Stop"),
    ("T1496", "Resource Hijacking"),
    ("T1498", "Network Denial of Service"),
    (
        "T1498.001",
        "Network Denial of Service: Direct Network Flood",
    ),
    ("T1499", "Endpoint Denial of Service"),
    ("T1505", "Server Software Component"),
    ("T1505.003", "Server Software Component: Web Shell"),
    ("T1518", "Software Discovery"),
    (
        "T1518.001",
        "Software Discovery: Security Software Discovery",
    ),
    ("T1529", "System Shutdown/Reboot"),
    ("T1531", "Account Access Removal"),
    ("T1543", "Create or Modify System Process"),
    (
        "T1543.002",
        "Create or Modify System Process: Systemd Service",
    ),
    (
        "T1543.003",
        "Create or Modify System Process: Windows Service",
    ),
    ("T1546", "Event Triggered Execution"),
    (
        "T1546.004",
        "Event Triggered Execution: Unix Shell Configuration Modification",
    ),
    ("T1547", "Boot or Logon Autostart Execution"),
    (
        "T1547.006",
        "Boot or Logon Autostart Execution: Kernel Modules and Extensions",
    ),
    ("T1548", "Abuse Elevation Control Mechanism"),
    (
        "T1548.001",
        "Abuse Elevation Control Mechanism: Setuid and Setgid",
    ),
    (
        "T1548.003",
        "Abuse Elevation Control Mechanism: Sudo and Sudo Caching",
    ),
    ("T1552", "Unsecured Credentials"),
    ("T1552.001", "Unsecured Credentials: Credentials In Files"),
    ("T1552.003", "Unsecured Credentials: Bash History"),
    ("T1553", "Subvert Trust Controls"),
    (
        "T1553.004",
        "Subvert Trust Controls: Install Root Certificate",
    ),
    ("T1554", "Compromise Host Software Binary"),
    ("T1560", "Archive Collected Data"),
    ("T1560.001", "Archive Collected Data: Archive via Utility"),
    ("T1564", "Hide Artifacts"),
    ("T1564.001", "Hide Artifacts: Hidden Files and Directories"),
    ("T1562", "Impair Defenses"),
    ("T1562.001", "Impair Defenses: Disable or Modify Tools"),
    ("T1565", "Data Manipulation"),
    ("T1565.001", "Data Manipulation: Stored Data Manipulation"),
    (
        "T1565.002",
        "Data Manipulation: Transmitted Data Manipulation",
    ),
    ("T1567", "Exfiltration Over Web Service"),
    ("T1568", "Dynamic Resolution"),
    (
        "T1568.002",
        "Dynamic Resolution: Domain Generation Algorithms",
    ),
    ("T1571", "Non-Standard Port"),
    ("T1572", "Protocol Tunneling"),
    ("T1574", "Hijack Execution Flow"),
    ("T1574.001", "Hijack Execution Flow: DLL"),
    (
        "T1574.006",
        "Hijack Execution Flow: Dynamic Linker Hijacking",
    ),
    ("T1584", "Compromise Infrastructure"),
    ("T1587", "Develop Capabilities"),
    ("T1588", "Obtain Capabilities"),
    ("T1588.001", "Obtain Capabilities: Malware"),
    ("T1592", "Gather Victim Host Information"),
    (
        "T1592.004",
        "Gather Victim Host Information: Client Configurations",
    ),
    ("T1593", "Search Open Websites/Domains"),
    (
        "T1593.003",
        "Search Open Websites/Domains: Code Repositories",
    ),
    ("T1653", "Power Settings"),
];

/// The ATT&CK techniques among `tags`: id (`T1059.004`) and name when known.
pub fn techniques(tags: &[String]) -> Vec<(String, Option<&'static str>)> {
    tags.iter()
        .filter_map(|tag| {
            let id = tag.strip_prefix("attack.")?;
            let id = id.to_ascii_uppercase();
            (id.starts_with('T') && id[1..].starts_with(|c: char| c.is_ascii_digit())).then(|| {
                let name = TECHNIQUES.iter().find(|(t, _)| *t == id).map(|(_, n)| *n);
                (id, name)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_named_techniques() {
        let tags: Vec<String> = [
            "attack.execution",
            "attack.t1059.004",
            "attack.t9999",
            "vigie.fim",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            techniques(&tags),
            vec![
                (
                    "T1059.004".into(),
                    Some("Command and Scripting Interpreter: Unix Shell")
                ),
                ("T9999".into(), None),
            ]
        );
    }
}
