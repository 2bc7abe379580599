//! What a security rule matches besides addresses: the IP [`Protocol`] and the [`PortRange`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An IP protocol as security rules name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// ICMP (ports ignored).
    Icmp,
    /// Any protocol (`-1`).
    All,
}

impl Protocol {
    fn matches(self, p: Protocol) -> bool {
        self == Protocol::All || self == p
    }

    /// Whether a rule for this protocol on `ports` matches `protocol` traffic to `port` (the
    /// check security groups and NACLs share; ICMP has no ports, so a rule's ports are ignored).
    pub(super) fn matches_traffic(self, ports: PortRange, protocol: Protocol, port: u16) -> bool {
        self.matches(protocol) && (protocol == Protocol::Icmp || ports.contains(port))
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::All => "all traffic",
        })
    }
}

/// An inclusive port range, written `443`, `1024-65535` or `all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port.
    pub to: u16,
}

impl PortRange {
    /// Every port.
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };
    /// The ephemeral ports replies go to.
    pub const EPHEMERAL: PortRange = PortRange { from: 1024, to: 65535 };
    /// One port.
    pub const fn single(p: u16) -> Self {
        PortRange { from: p, to: p }
    }
    /// Whether `p` is inside.
    pub fn contains(&self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortRange::ALL {
            f.write_str("all")
        } else if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

impl FromStr for PortRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t == "all" || t == "*" || t == "-1" {
            return Ok(PortRange::ALL);
        }
        let bad = || format!("`{s}` is not a port or range (e.g. 443, 1024-65535, all)");
        match t.split_once('-') {
            Some((a, b)) => {
                let (from, to) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if from > to {
                    return Err(bad());
                }
                Ok(PortRange { from, to })
            }
            None => Ok(PortRange::single(t.parse().map_err(|_| bad())?)),
        }
    }
}

impl Serialize for PortRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for PortRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u16),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(PortRange::single(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse() {
        assert_eq!("443".parse::<PortRange>().unwrap(), PortRange::single(443));
        assert_eq!("1024-65535".parse::<PortRange>().unwrap(), PortRange::EPHEMERAL);
        assert_eq!("all".parse::<PortRange>().unwrap(), PortRange::ALL);
        assert!("9-1".parse::<PortRange>().is_err());
        assert_eq!(serde_json::from_str::<PortRange>("22").unwrap(), PortRange::single(22));
    }
}
