//! The frameworks strider maps its rules to, and their requirements: an id as the standard
//! numbers it, and a short title in strider's own words (never the standard's text — read the
//! standard for that).
//!
//! Each framework lists the requirements of the parts issue #11 asks about, at the level its
//! evidence is about: a sub-requirement where a rule speaks to exactly it, a whole requirement
//! where strider has nothing to say (those show as "not assessed", so the list is honest about
//! what a model cannot show).
//!
//! Sources (the versions the ids and the mapping follow):
//! - PCI DSS v4.0, PCI Security Standards Council, March 2022 (v4.0.1, June 2024, keeps the
//!   numbering used here).
//! - HIPAA Security Rule, technical safeguards: 45 CFR § 164.312 (final rule 68 FR 8334,
//!   20 February 2003, as published in the eCFR; the 2025 proposed amendments are not final and
//!   are not mapped).
//! - GDPR: Regulation (EU) 2016/679, OJ L 119, 4 May 2016, Articles 25, 32 and 33.
//! - SOC 2: AICPA 2017 Trust Services Criteria (with revised points of focus, 2022), common
//!   criteria CC6 (logical and physical access) and CC7 (system operations).

use serde::Serialize;

/// A compliance framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// PCI DSS v4.0.
    PciDss,
    /// The HIPAA Security Rule's technical safeguards.
    Hipaa,
    /// GDPR Articles 25, 32 and 33.
    Gdpr,
    /// SOC 2 common criteria CC6 and CC7.
    Soc2,
}

/// Every framework, in the order reports show them.
pub const FRAMEWORKS: &[Framework] = &[
    Framework::PciDss,
    Framework::Hipaa,
    Framework::Gdpr,
    Framework::Soc2,
];

impl Framework {
    /// The name on the command line and in JSON: `pci-dss`, `hipaa`, `gdpr`, `soc2`.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Framework::PciDss => "pci-dss",
            Framework::Hipaa => "hipaa",
            Framework::Gdpr => "gdpr",
            Framework::Soc2 => "soc2",
        }
    }

    /// The name people use.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Framework::PciDss => "PCI DSS",
            Framework::Hipaa => "HIPAA Security Rule",
            Framework::Gdpr => "GDPR",
            Framework::Soc2 => "SOC 2",
        }
    }

    /// A short label for tables: `PCI`, `HIPAA`, `GDPR`, `SOC 2`.
    #[must_use]
    pub fn short(self) -> &'static str {
        match self {
            Framework::PciDss => "PCI",
            Framework::Hipaa => "HIPAA",
            Framework::Gdpr => "GDPR",
            Framework::Soc2 => "SOC 2",
        }
    }

    /// The version of the standard the requirement ids and the mapping follow.
    #[must_use]
    pub fn version(self) -> &'static str {
        match self {
            Framework::PciDss => "PCI DSS v4.0 (PCI SSC, March 2022)",
            Framework::Hipaa => "45 CFR § 164.312 (Security Rule, 68 FR 8334, 2003)",
            Framework::Gdpr => "Regulation (EU) 2016/679, Art. 25, 32, 33",
            Framework::Soc2 => "AICPA Trust Services Criteria 2017 (rev. 2022), CC6–CC7",
        }
    }

    /// Which elements the framework is about, in words.
    #[must_use]
    pub fn scope(self) -> &'static str {
        match self {
            Framework::PciDss => "elements that hold or carry data tagged `pci-dss`",
            Framework::Hipaa => "elements that hold or carry data tagged `hipaa`",
            Framework::Gdpr => {
                "elements that hold or carry data tagged `gdpr` or `pii` (strider cannot tell whose personal data it is)"
            }
            Framework::Soc2 => "the whole system the model describes",
        }
    }

    /// The framework's requirements, in the standard's order.
    #[must_use]
    pub fn requirements(self) -> &'static [Requirement] {
        match self {
            Framework::PciDss => PCI_DSS,
            Framework::Hipaa => HIPAA,
            Framework::Gdpr => GDPR,
            Framework::Soc2 => SOC2,
        }
    }

    /// A requirement by its id.
    #[must_use]
    pub fn requirement(self, id: &str) -> Option<&'static Requirement> {
        self.requirements().iter().find(|r| r.id == id)
    }
}

impl std::fmt::Display for Framework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// A framework name that is not one strider knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFramework(pub String);

impl std::fmt::Display for UnknownFramework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let valid: Vec<&str> = FRAMEWORKS.iter().map(|f| f.key()).collect();
        write!(
            f,
            "unknown compliance framework `{}`: use {}",
            crate::escape::terminal(&self.0),
            crate::model::diagnostic::one_of(&valid)
        )?;
        if let Some(hint) = crate::model::diagnostic::did_you_mean(&self.0, valid) {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFramework {}

impl std::str::FromStr for Framework {
    type Err = UnknownFramework;

    /// `pci-dss`, `hipaa`, `gdpr` or `soc2`, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let key = text.trim();
        FRAMEWORKS
            .iter()
            .copied()
            .find(|f| f.key().eq_ignore_ascii_case(key))
            .ok_or_else(|| UnknownFramework(text.to_owned()))
    }
}

/// One requirement of a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Its number in the standard: `8.3`, `164.312(d)`, `Art. 32(1)(a)`, `CC6.1`.
    pub id: &'static str,
    /// What it asks for, in a few words of strider's own.
    pub title: &'static str,
}

const fn req(id: &'static str, title: &'static str) -> Requirement {
    Requirement { id, title }
}

/// PCI DSS v4.0: the requirements a serverless model can say something about, and the others at
/// the level of a whole requirement.
const PCI_DSS: &[Requirement] = &[
    req(
        "1.3",
        "Limit traffic into and out of the card data environment",
    ),
    req(
        "1.4",
        "Control connections between trusted and untrusted networks; keep card data stores off untrusted networks",
    ),
    req(
        "2.2",
        "Configure components securely; run only what is needed",
    ),
    req(
        "3.2",
        "Keep as little stored account data as possible, for as short as possible",
    ),
    req(
        "3.5",
        "Make stored card numbers unreadable wherever they are kept",
    ),
    req("3.6", "Protect the keys that protect stored account data"),
    req(
        "4.2",
        "Use strong cryptography for card numbers sent over open networks",
    ),
    req("5", "Protect systems against malicious software"),
    req("6.2", "Write custom software that resists common attacks"),
    req(
        "6.3",
        "Find vulnerabilities and patch components, including third-party ones",
    ),
    req(
        "6.4",
        "Protect public-facing web applications against attacks",
    ),
    req("6.5", "Manage changes to system components"),
    req(
        "7.2",
        "Grant people and system accounts only the access they need",
    ),
    req("8.2", "Identify every user and account uniquely"),
    req("8.3", "Authenticate users and systems strongly"),
    req(
        "8.4",
        "Require multi-factor authentication into the card data environment",
    ),
    req(
        "8.6",
        "Manage system and application accounts and keep their secrets out of code",
    ),
    req("9", "Restrict physical access to card data"),
    req("10.2", "Keep audit logs of access and security events"),
    req("10.3", "Protect audit logs from change and deletion"),
    req(
        "10.4",
        "Review logs to find anomalies and suspicious activity",
    ),
    req("10.5", "Keep audit log history for at least a year"),
    req(
        "10.7",
        "Notice and handle failures of critical security controls",
    ),
    req("11.3", "Scan for vulnerabilities regularly"),
    req("11.4", "Test for intrusions regularly (penetration tests)"),
    req(
        "11.5",
        "Detect intrusions and unexpected changes, and respond",
    ),
    req("12.8", "Manage the risk of third-party service providers"),
    req(
        "12.10",
        "Respond to suspected and confirmed incidents at once",
    ),
];

/// 45 CFR § 164.312, technical safeguards, with their implementation specifications.
const HIPAA: &[Requirement] = &[
    req(
        "164.312(a)(1)",
        "Let only authorised people and software reach ePHI",
    ),
    req(
        "164.312(a)(2)(i)",
        "Give each user and process its own identity",
    ),
    req(
        "164.312(a)(2)(ii)",
        "Have a way to reach ePHI in an emergency",
    ),
    req("164.312(a)(2)(iii)", "End idle sessions automatically"),
    req("164.312(a)(2)(iv)", "Encrypt ePHI where it is kept"),
    req(
        "164.312(b)",
        "Record and examine activity in systems holding ePHI",
    ),
    req(
        "164.312(c)(1)",
        "Protect ePHI from being changed or destroyed improperly",
    ),
    req("164.312(c)(2)", "Be able to show ePHI has not been altered"),
    req(
        "164.312(d)",
        "Verify who a person or system asking for ePHI is",
    ),
    req("164.312(e)(1)", "Guard ePHI sent over networks"),
    req("164.312(e)(2)(i)", "Detect changes to ePHI in transit"),
    req("164.312(e)(2)(ii)", "Encrypt ePHI in transit"),
];

/// GDPR Articles 25, 32 and 33, by paragraph.
const GDPR: &[Requirement] = &[
    req(
        "Art. 25(1)",
        "Design processing to protect personal data and minimise it",
    ),
    req(
        "Art. 25(2)",
        "By default, process only what is needed and keep personal data from the public",
    ),
    req(
        "Art. 25(3)",
        "Certification as evidence of protection by design",
    ),
    req("Art. 32(1)(a)", "Encrypt or pseudonymise personal data"),
    req(
        "Art. 32(1)(b)",
        "Keep processing confidential, intact, available and resilient",
    ),
    req(
        "Art. 32(1)(c)",
        "Restore personal data quickly after an incident",
    ),
    req(
        "Art. 32(1)(d)",
        "Test and evaluate the security measures regularly",
    ),
    req(
        "Art. 32(2)",
        "Weigh the risks of the processing when choosing measures",
    ),
    req(
        "Art. 32(4)",
        "Staff process personal data only as instructed",
    ),
    req(
        "Art. 33(1)",
        "Notice breaches in time to notify the authority within 72 hours",
    ),
    req(
        "Art. 33(2)",
        "Processors tell the controller of breaches without delay",
    ),
    req(
        "Art. 33(3)",
        "Be able to describe a breach: what happened, whose data, how many records",
    ),
    req("Art. 33(5)", "Document every breach and what was done"),
];

/// SOC 2 common criteria CC6 and CC7.
const SOC2: &[Requirement] = &[
    req(
        "CC6.1",
        "Restrict logical access to information assets (identities, authentication, encryption)",
    ),
    req(
        "CC6.2",
        "Register and authorise users before giving them credentials",
    ),
    req(
        "CC6.3",
        "Grant and remove access by role, least privilege and separation of duties",
    ),
    req("CC6.4", "Restrict physical access"),
    req("CC6.5", "Protect data on discarded assets"),
    req(
        "CC6.6",
        "Protect the system against threats from outside its boundaries",
    ),
    req(
        "CC6.7",
        "Restrict and protect data in transmission and movement",
    ),
    req(
        "CC6.8",
        "Prevent or detect unauthorised or malicious software",
    ),
    req(
        "CC7.1",
        "Detect configuration changes and newly found vulnerabilities",
    ),
    req(
        "CC7.2",
        "Monitor components for anomalies, attacks and errors",
    ),
    req(
        "CC7.3",
        "Evaluate security events to decide whether they are incidents",
    ),
    req("CC7.4", "Respond to security incidents"),
    req("CC7.5", "Recover from security incidents"),
];
