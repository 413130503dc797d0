//! Which requirements each rule evidences, and why: a rule's findings are evidence that a
//! requirement is at risk on the elements they are about (a rule that stays quiet is no proof
//! the requirement is met — strider sees the model, not the system).
//!
//! Every rule of [`RULES`](crate::rules::RULES) has exactly one entry here, either the
//! requirements it evidences or the reason it evidences none; a test fails for a rule without a
//! decision. Requirement ids and versions: [`frameworks`](super::frameworks).

use super::frameworks::Framework;

/// One requirement a rule evidences, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The framework.
    pub framework: Framework,
    /// The requirement's id in it.
    pub requirement: &'static str,
    /// Why the rule's findings bear on it.
    pub why: &'static str,
}

/// What a rule evidences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// These requirements.
    Evidences(&'static [Link]),
    /// None, for this reason.
    Nothing(&'static str),
}

/// The decision for one rule, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMapping {
    /// The rule's id (`STR-001`).
    pub rule: &'static str,
    /// What it evidences.
    pub decision: Decision,
}

impl RuleMapping {
    /// The requirements the rule evidences (none for [`Decision::Nothing`]).
    #[must_use]
    pub fn links(&self) -> &'static [Link] {
        match self.decision {
            Decision::Evidences(links) => links,
            Decision::Nothing(_) => &[],
        }
    }
}

const fn pci(requirement: &'static str, why: &'static str) -> Link {
    Link {
        framework: Framework::PciDss,
        requirement,
        why,
    }
}

const fn hipaa(requirement: &'static str, why: &'static str) -> Link {
    Link {
        framework: Framework::Hipaa,
        requirement,
        why,
    }
}

const fn gdpr(requirement: &'static str, why: &'static str) -> Link {
    Link {
        framework: Framework::Gdpr,
        requirement,
        why,
    }
}

const fn soc2(requirement: &'static str, why: &'static str) -> Link {
    Link {
        framework: Framework::Soc2,
        requirement,
        why,
    }
}

const fn rule(rule: &'static str, links: &'static [Link]) -> RuleMapping {
    RuleMapping {
        rule,
        decision: Decision::Evidences(links),
    }
}

const fn nothing(rule: &'static str, why: &'static str) -> RuleMapping {
    RuleMapping {
        rule,
        decision: Decision::Nothing(why),
    }
}

/// The mapping, in rule id order.
pub static MAPPING: &[RuleMapping] = &[
    rule(
        "STR-001",
        &[
            pci(
                "8.3",
                "anyone can call the route: no user or system is authenticated",
            ),
            hipaa(
                "164.312(d)",
                "nobody's identity is verified before the route runs",
            ),
            hipaa("164.312(a)(1)", "access is not limited to authorised users"),
            gdpr(
                "Art. 32(1)(b)",
                "unauthenticated access undermines confidentiality",
            ),
            soc2("CC6.1", "no logical access control in front of the route"),
        ],
    ),
    rule(
        "STR-002",
        &[
            pci(
                "6.2",
                "unvalidated input is the opening for injection attacks",
            ),
            hipaa(
                "164.312(c)(1)",
                "injected input can change or destroy stored records",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "injection threatens the integrity and confidentiality of processing",
            ),
            soc2(
                "CC6.6",
                "input from outside the boundary is trusted unchecked",
            ),
        ],
    ),
    rule(
        "STR-003",
        &[
            pci("7.2", "a wildcard grants the function more than it needs"),
            hipaa(
                "164.312(a)(1)",
                "a compromised function can reach data beyond its purpose",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "excess rights widen who can read or change personal data",
            ),
            soc2("CC6.3", "access is not restricted to least privilege"),
        ],
    ),
    rule(
        "STR-004",
        &[
            pci(
                "7.2",
                "each function gets the union of every sharer's rights",
            ),
            hipaa(
                "164.312(a)(2)(i)",
                "actions cannot be traced to one function's identity",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "a weakness in one sharer exposes every sharer's data",
            ),
            soc2("CC6.3", "roles are not separated by duty"),
        ],
    ),
    rule(
        "STR-005",
        &[
            pci(
                "8.6",
                "an account's secret is kept in configuration or code",
            ),
            hipaa(
                "164.312(a)(1)",
                "whoever reads the configuration holds the credential",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "a leaked credential opens the data it protects",
            ),
            soc2("CC6.1", "credentials are not protected"),
        ],
    ),
    rule(
        "STR-006",
        &[gdpr(
            "Art. 32(1)(b)",
            "unthrottled traffic threatens availability and resilience",
        )],
    ),
    rule(
        "STR-007",
        &[
            pci(
                "1.4",
                "a store of account data is reachable from untrusted networks",
            ),
            hipaa("164.312(a)(1)", "anyone can read the store"),
            gdpr(
                "Art. 25(2)",
                "personal data made accessible to an indefinite number of people",
            ),
            soc2("CC6.1", "no logical access restriction on the store"),
        ],
    ),
    rule(
        "STR-008",
        &[
            pci("3.5", "stored account data is readable as is"),
            hipaa("164.312(a)(2)(iv)", "ePHI is stored unencrypted"),
            gdpr("Art. 32(1)(a)", "personal data is not encrypted at rest"),
            soc2("CC6.1", "data at rest is not protected by encryption"),
        ],
    ),
    rule(
        "STR-009",
        &[
            hipaa("164.312(c)(1)", "records in a failed event are lost"),
            gdpr(
                "Art. 32(1)(b)",
                "failed processing is neither kept nor retried: less resilience",
            ),
            soc2("CC7.2", "failures vanish unseen"),
        ],
    ),
    rule(
        "STR-010",
        &[gdpr(
            "Art. 32(1)(b)",
            "a runaway loop exhausts capacity and budget: availability",
        )],
    ),
    rule(
        "STR-011",
        &[
            pci("6.3", "the runtime gets no more security patches"),
            gdpr(
                "Art. 32(1)(b)",
                "unpatched components weaken the processing's security",
            ),
            soc2(
                "CC7.1",
                "newly found vulnerabilities in the runtime stay unfixed",
            ),
        ],
    ),
    rule(
        "STR-012",
        &[
            pci("10.2", "what the function does leaves no audit trail"),
            hipaa("164.312(b)", "activity is not recorded"),
            gdpr("Art. 33(3)", "without logs a breach cannot be described"),
            soc2("CC7.2", "the function cannot be monitored"),
        ],
    ),
    rule(
        "STR-013",
        &[
            pci(
                "10.2",
                "an attack through the function cannot be reconstructed",
            ),
            hipaa("164.312(b)", "activity across functions cannot be examined"),
            gdpr(
                "Art. 33(3)",
                "which records an attacker reached is hard to tell",
            ),
            soc2("CC7.3", "security events lack the trail to evaluate them"),
        ],
    ),
    rule(
        "STR-014",
        &[
            pci("10.5", "logs of card data processing are kept under a year"),
            hipaa(
                "164.312(b)",
                "activity records expire before they can be examined",
            ),
            gdpr(
                "Art. 33(3)",
                "a breach found late can no longer be described",
            ),
            soc2("CC7.3", "older events can no longer be evaluated"),
        ],
    ),
    rule(
        "STR-015",
        &[
            pci("3.5", "card data is copied into logs in the clear"),
            hipaa("164.312(a)(1)", "whoever reads the logs reads the ePHI"),
            gdpr(
                "Art. 25(1)",
                "personal data is copied where the purpose does not need it",
            ),
            soc2("CC6.7", "data moves into the logging system unrestricted"),
        ],
    ),
    rule(
        "STR-016",
        &[
            pci("10.2", "reads of account data are not logged"),
            hipaa("164.312(b)", "access to ePHI is not recorded"),
            gdpr(
                "Art. 33(3)",
                "which records were accessed cannot be told after a breach",
            ),
            soc2("CC7.2", "access to the store cannot be monitored"),
        ],
    ),
    rule(
        "STR-017",
        &[
            pci("4.2", "account data crosses a boundary without encryption"),
            hipaa("164.312(e)(1)", "ePHI sent over a network unguarded"),
            hipaa("164.312(e)(2)(ii)", "ePHI in transit is not encrypted"),
            gdpr("Art. 32(1)(a)", "personal data in transit is not encrypted"),
            soc2("CC6.7", "data is not protected during transmission"),
        ],
    ),
    nothing(
        "STR-018",
        "a reliability weakness (the caller gives up while the function runs on): none of the mapped requirements asks for timeouts",
    ),
    rule(
        "STR-019",
        &[
            pci(
                "6.3",
                "third-party components are not inventoried at fixed versions",
            ),
            soc2("CC6.8", "a malicious release can enter the build unnoticed"),
        ],
    ),
    rule(
        "STR-020",
        &[
            pci(
                "6.3",
                "vulnerabilities in third-party components are not looked for",
            ),
            soc2(
                "CC7.1",
                "newly found vulnerabilities in dependencies go unnoticed",
            ),
        ],
    ),
    rule(
        "STR-021",
        &[
            hipaa(
                "164.312(c)(1)",
                "messages that keep failing expire and are lost",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "poison messages block or drop processing: less resilience",
            ),
            soc2("CC7.2", "failing messages are not set aside to look at"),
        ],
    ),
    nothing(
        "STR-022",
        "a reliability weakness of batch processing (whole batches retried): it neither exposes nor alters data",
    ),
    rule(
        "STR-023",
        &[gdpr(
            "Art. 32(1)(b)",
            "a few requests exhaust the function: availability",
        )],
    ),
    rule(
        "STR-024",
        &[
            pci("3.5", "account data waits in a queue or topic unencrypted"),
            hipaa(
                "164.312(a)(2)(iv)",
                "ePHI is stored in messaging unencrypted",
            ),
            gdpr(
                "Art. 32(1)(a)",
                "personal data in messaging is not encrypted",
            ),
            soc2(
                "CC6.1",
                "data at rest in messaging is not protected by encryption",
            ),
        ],
    ),
    rule(
        "STR-025",
        &[
            pci(
                "8.3",
                "an API key identifies an application, not a user, and is easily shared",
            ),
            hipaa("164.312(d)", "the caller's identity is not verified"),
            gdpr("Art. 32(1)(b)", "a leaked key opens the API to anyone"),
            soc2("CC6.1", "weak authentication in front of the API"),
        ],
    ),
    rule(
        "STR-026",
        &[
            pci("8.3", "the calling system is not authenticated"),
            hipaa("164.312(d)", "the sender's identity is not verified"),
            gdpr("Art. 32(1)(b)", "forged events can change personal data"),
            soc2(
                "CC6.6",
                "events from outside the boundary are trusted unverified",
            ),
        ],
    ),
    rule(
        "STR-027",
        &[
            pci(
                "1.3",
                "anyone can send traffic into the card data environment",
            ),
            hipaa("164.312(c)(1)", "anyone can inject records"),
            gdpr("Art. 32(1)(b)", "forged messages threaten integrity"),
            soc2(
                "CC6.6",
                "the channel is open to sources outside the boundary",
            ),
        ],
    ),
    rule(
        "STR-028",
        &[
            pci(
                "6.4",
                "no automated protection in front of a public web application",
            ),
            soc2("CC6.6", "no filtering of attacks from outside the boundary"),
        ],
    ),
    rule(
        "STR-029",
        &[
            pci("4.2", "the API accepts plain HTTP"),
            hipaa("164.312(e)(1)", "requests travel unguarded"),
            hipaa(
                "164.312(e)(2)(i)",
                "nothing detects requests changed in transit",
            ),
            hipaa("164.312(e)(2)(ii)", "requests are not encrypted in transit"),
            gdpr("Art. 32(1)(a)", "personal data in transit is not encrypted"),
            soc2("CC6.7", "data is not protected during transmission"),
        ],
    ),
    rule(
        "STR-030",
        &[
            pci(
                "7.2",
                "an internet-reachable function holds privileges beyond its job",
            ),
            hipaa(
                "164.312(a)(1)",
                "an attacker can escalate to reach any data",
            ),
            gdpr("Art. 32(1)(b)", "escalation exposes all personal data"),
            soc2("CC6.3", "privileged access is not restricted"),
        ],
    ),
    rule(
        "STR-031",
        &[
            pci("7.2", "administrative functions are open to anyone"),
            pci("8.3", "administrative access without authentication"),
            hipaa("164.312(a)(1)", "administrative access is not limited"),
            hipaa("164.312(d)", "the administrator is not authenticated"),
            gdpr(
                "Art. 32(1)(b)",
                "administrative actions can expose or change all data",
            ),
            soc2("CC6.1", "no logical access control on administration"),
            soc2("CC6.3", "privileged functions are not restricted by role"),
        ],
    ),
    rule(
        "STR-032",
        &[
            pci("7.2", "a permission the function does not use"),
            hipaa("164.312(a)(1)", "access beyond what the function needs"),
            soc2("CC6.3", "access is not restricted to least privilege"),
        ],
    ),
    nothing(
        "STR-033",
        "a model inconsistency (a flow no permission allows), not a weakness of the system",
    ),
    rule(
        "STR-034",
        &[pci(
            "2.2",
            "a function nothing uses is still deployed with its permissions",
        )],
    ),
    rule(
        "STR-035",
        &[
            pci(
                "3.6",
                "the keys protecting account data are not under the entity's control",
            ),
            hipaa(
                "164.312(a)(2)(iv)",
                "encryption of ePHI relies on a key the entity does not manage",
            ),
            soc2("CC6.1", "encryption keys are not managed by the entity"),
        ],
    ),
    rule(
        "STR-036",
        &[
            pci("12.8", "account data is shared with a third party"),
            gdpr(
                "Art. 25(1)",
                "personal data leaves the system: minimise and protect it by design",
            ),
            soc2("CC6.7", "data moves to an external party"),
        ],
    ),
    rule(
        "STR-037",
        &[
            pci("10.4", "nobody reviews the logs for anomalies"),
            pci("11.5", "intrusions are not detected"),
            hipaa("164.312(b)", "activity is not examined"),
            gdpr(
                "Art. 33(1)",
                "a breach may go unnoticed past the 72-hour deadline",
            ),
            soc2("CC7.2", "no monitoring for attacks"),
        ],
    ),
    rule(
        "STR-038",
        &[
            pci("8.4", "sign-in without a second factor"),
            hipaa("164.312(d)", "a password alone verifies the person"),
            gdpr("Art. 32(1)(b)", "stolen passwords open accounts"),
            soc2("CC6.1", "weak authentication of users"),
        ],
    ),
    rule(
        "STR-039",
        &[
            hipaa("164.312(c)(1)", "destroyed ePHI cannot be restored"),
            gdpr(
                "Art. 32(1)(c)",
                "personal data cannot be restored after an incident",
            ),
            soc2("CC7.5", "no way to recover the data after an incident"),
        ],
    ),
    rule(
        "STR-040",
        &[
            pci("6.2", "error handling discloses internals to attackers"),
            gdpr("Art. 32(1)(b)", "internal details and data leak in errors"),
        ],
    ),
    rule(
        "STR-041",
        &[
            pci(
                "7.2",
                "an attacker may write what starts card data processing",
            ),
            hipaa(
                "164.312(c)(1)",
                "an attacker can plant records that are processed",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "attacker-written input threatens integrity",
            ),
            soc2("CC6.6", "outsiders can write into the system"),
        ],
    ),
    rule(
        "STR-042",
        &[
            pci(
                "1.4",
                "traffic enters a more trusted network unauthenticated",
            ),
            pci("8.3", "the sender is not authenticated"),
            hipaa("164.312(d)", "the sender's identity is not verified"),
            gdpr(
                "Art. 32(1)(b)",
                "unauthenticated flows undermine confidentiality and integrity",
            ),
            soc2("CC6.6", "the boundary does not check who crosses it"),
        ],
    ),
    rule(
        "STR-043",
        &[
            pci("6.2", "one request's data can leak into the next"),
            hipaa("164.312(a)(1)", "a caller may see another caller's ePHI"),
            gdpr("Art. 32(1)(b)", "personal data leaks between users"),
        ],
    ),
    rule(
        "STR-044",
        &[
            pci(
                "8.3",
                "without a rate limit, guessing credentials costs nothing",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "unthrottled traffic threatens availability and resilience",
            ),
            soc2(
                "CC6.6",
                "the boundary does not limit what comes in from outside",
            ),
        ],
    ),
    rule(
        "STR-045",
        &[gdpr(
            "Art. 32(1)(b)",
            "anyone can exhaust the budget that keeps the service available",
        )],
    ),
    rule(
        "STR-046",
        &[
            pci(
                "6.2",
                "stored input reaches an injection sink without encoding",
            ),
            hipaa(
                "164.312(c)(1)",
                "injected stored data can change or destroy records",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "injection threatens the integrity and confidentiality of processing",
            ),
            soc2("CC6.6", "data written from outside is trusted at use"),
        ],
    ),
    rule(
        "STR-047",
        &[
            pci(
                "7.2",
                "the role's policy does not say what access it grants",
            ),
            soc2(
                "CC6.3",
                "access is not granted as written, so reviews of it are wrong",
            ),
        ],
    ),
    rule(
        "STR-048",
        &[
            pci(
                "6.2",
                "attacker content runs as script on the application's site",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "stored scripts can read users' sessions and personal data",
            ),
            soc2(
                "CC6.6",
                "content from outside is published as the system's own",
            ),
        ],
    ),
    rule(
        "STR-049",
        &[
            pci("8.3", "passwords shorter or simpler than required"),
            hipaa("164.312(d)", "weak passwords do not verify the person"),
            gdpr("Art. 32(1)(b)", "guessable passwords open accounts"),
            soc2("CC6.1", "weak authentication of users"),
        ],
    ),
    rule(
        "STR-050",
        &[
            pci("7.2", "users grant themselves access"),
            hipaa("164.312(a)(1)", "users can raise their own access to ePHI"),
            gdpr(
                "Art. 32(1)(b)",
                "access control over personal data can be bypassed",
            ),
            soc2("CC6.3", "users can change their own authorization"),
        ],
    ),
    rule(
        "STR-051",
        &[
            pci("8.3", "passwords or tokens are exposed in transit"),
            hipaa(
                "164.312(d)",
                "credentials travel where they can be captured",
            ),
            gdpr("Art. 32(1)(b)", "credentials can be intercepted"),
            soc2("CC6.1", "weak protection of credentials"),
        ],
    ),
    rule(
        "STR-052",
        &[
            pci("1.4", "nothing stops account data from being made public"),
            hipaa("164.312(a)(1)", "ePHI may be published by one mistake"),
            gdpr(
                "Art. 25(2)",
                "personal data is not protected from publication by default",
            ),
            soc2("CC6.1", "no safeguard against public access"),
        ],
    ),
    rule(
        "STR-053",
        &[
            pci(
                "6.2",
                "any site can read the user's data through the browser",
            ),
            gdpr("Art. 32(1)(b)", "other sites can read users' personal data"),
            soc2(
                "CC6.6",
                "the boundary accepts credentialed calls from any origin",
            ),
        ],
    ),
    rule(
        "STR-054",
        &[
            pci("10.2", "no audit log of who called the API"),
            hipaa("164.312(b)", "access through the API is not recorded"),
            gdpr(
                "Art. 33(3)",
                "a breach through the API cannot be described: who, what, how many",
            ),
            soc2("CC7.2", "no record to detect anomalies on the API"),
        ],
    ),
    rule(
        "STR-055",
        &[
            pci(
                "3.5",
                "account data stored readable by whoever reads the code",
            ),
            hipaa(
                "164.312(a)(1)",
                "ePHI readable by everyone with access to the code",
            ),
            gdpr(
                "Art. 32(1)(a)",
                "personal data kept outside any access-controlled store",
            ),
            soc2("CC6.1", "data protected only by access to the code"),
        ],
    ),
    rule(
        "STR-056",
        &[
            pci("1.4", "anyone on the internet can change stored data"),
            hipaa(
                "164.312(c)(1)",
                "ePHI can be altered or destroyed by anyone",
            ),
            gdpr(
                "Art. 32(1)(b)",
                "anyone can tamper with personal data or delete it",
            ),
            soc2("CC6.1", "no access control on writes"),
        ],
    ),
    rule(
        "STR-057",
        &[gdpr(
            "Art. 25(2)",
            "personal data in logs is kept beyond any purpose by default",
        )],
    ),
];

/// The decision for a rule, by id.
#[must_use]
pub fn mapping(rule: &str) -> Option<&'static RuleMapping> {
    MAPPING.iter().find(|m| m.rule == rule)
}
