//! IPv4 CIDR blocks: the [`Ipv4Cidr`] type, containment and overlap, and its two parsers (strict
//! for the network layer's configuration, lenient for topology documents).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 CIDR block such as `10.0.0.0/16`: the one CIDR type of the crate, used by the
/// network layer and by the topology document's VPC and subnet containers
/// ([`crate::topology::Cidr`] is this type).
///
/// Blocks made by [`Ipv4Cidr::new`], [`Ipv4Cidr::parse`] and [`str::parse`] have their host
/// bits cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    /// The network address as a number (`10.0.0.0` is `10 << 24`).
    pub addr: u32,
    /// Prefix length, 0 to 32.
    pub prefix: u8,
}

/// What [`Ipv4Cidr::contains`] accepts: an address, or a whole block.
pub trait CidrMember {
    /// Whether `self` lies inside `block`.
    fn inside(self, block: &Ipv4Cidr) -> bool;
}

impl CidrMember for Ipv4Addr {
    fn inside(self, block: &Ipv4Cidr) -> bool {
        u32::from(self) & mask(block.prefix) == block.addr
    }
}

impl CidrMember for &Ipv4Cidr {
    fn inside(self, block: &Ipv4Cidr) -> bool {
        block.contains_cidr(self)
    }
}

/// A CIDR that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Not `a.b.c.d/n`.
    #[error("`{0}` is not a CIDR block (expected e.g. 10.0.0.0/16)")]
    Syntax(String),
    /// Prefix above 32.
    #[error("`{0}`: the prefix length must be 0 to 32")]
    Prefix(String),
    /// Address bits set past the prefix.
    #[error("`{text}` has host bits set; did you mean {suggest}?")]
    HostBits {
        /// What was written.
        text: String,
        /// The block it probably meant.
        suggest: String,
    },
}

impl Ipv4Cidr {
    /// The block `addr/prefix`; host bits are cleared.
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Self {
        let prefix = prefix.min(32);
        Ipv4Cidr { addr: u32::from(addr) & mask(prefix), prefix }
    }
    /// `0.0.0.0/0`: every address.
    pub const ANY: Ipv4Cidr = Ipv4Cidr { addr: 0, prefix: 0 };
    /// The network address.
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.addr)
    }
    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }
    /// Number of addresses in the block.
    pub fn size(&self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }
    /// Whether `x` (an [`Ipv4Addr`], or all of a `&Ipv4Cidr`) is inside.
    pub fn contains<T: CidrMember>(&self, x: T) -> bool {
        x.inside(self)
    }
    /// Whether all of `other` is inside.
    pub fn contains_cidr(&self, other: &Ipv4Cidr) -> bool {
        other.prefix >= self.prefix && self.contains(other.network())
    }
    /// Whether the two blocks share any address.
    pub fn overlaps(&self, other: &Ipv4Cidr) -> bool {
        self.contains_cidr(other) || other.contains_cidr(self)
    }
    /// The address `offset` places after the network address.
    pub fn nth(&self, offset: u64) -> Option<Ipv4Addr> {
        (offset < self.size()).then(|| Ipv4Addr::from(self.addr.wrapping_add(offset as u32)))
    }
    /// The offset of `ip` inside the block.
    pub fn offset_of(&self, ip: Ipv4Addr) -> Option<u64> {
        self.contains(ip).then(|| (u32::from(ip) - self.addr) as u64)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix as u32)
    }
}

impl Ipv4Cidr {
    /// Parses `a.b.c.d/n` as topology documents write it: host bits are cleared rather than
    /// refused (the network layer's configuration, read with [`str::parse`], refuses them).
    pub fn parse(text: &str) -> Result<Ipv4Cidr, String> {
        let (ip, len) =
            text.split_once('/').ok_or_else(|| format!("`{text}` is not a CIDR block (expected e.g. 10.0.0.0/16)"))?;
        let prefix: u8 =
            len.parse().ok().filter(|p| *p <= 32).ok_or_else(|| format!("`{text}`: prefix length must be 0..32"))?;
        let mut addr = 0u32;
        let mut parts = 0;
        for p in ip.split('.') {
            let octet: u8 = p.parse().map_err(|_| format!("`{text}`: `{p}` is not an octet"))?;
            addr = (addr << 8) | u32::from(octet);
            parts += 1;
        }
        if parts != 4 {
            return Err(format!("`{text}`: an IPv4 address has four octets"));
        }
        Ok(Ipv4Cidr::new(Ipv4Addr::from(addr), prefix))
    }
}

impl FromStr for Ipv4Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, CidrError> {
        let t = s.trim();
        let (a, p) = t.split_once('/').ok_or_else(|| CidrError::Syntax(s.into()))?;
        let addr: Ipv4Addr = a.parse().map_err(|_| CidrError::Syntax(s.into()))?;
        let prefix: u8 = p.parse().map_err(|_| CidrError::Syntax(s.into()))?;
        if prefix > 32 {
            return Err(CidrError::Prefix(s.into()));
        }
        let c = Ipv4Cidr::new(addr, prefix);
        if c.network() != addr {
            return Err(CidrError::HostBits { text: s.into(), suggest: c.to_string() });
        }
        Ok(c)
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix)
    }
}

impl Serialize for Ipv4Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for Ipv4Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Ipv4Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_parsing_and_containment() {
        let v = c("10.0.0.0/16");
        assert!(v.contains("10.0.255.7".parse::<Ipv4Addr>().unwrap()));
        assert!(!v.contains("10.1.0.1".parse::<Ipv4Addr>().unwrap()));
        assert!(v.contains_cidr(&c("10.0.1.0/24")));
        assert!(!c("10.0.1.0/24").contains_cidr(&v));
        assert!(v.overlaps(&c("10.0.3.0/24")));
        assert!(!v.overlaps(&c("10.1.0.0/16")));
        assert_eq!(c("10.0.1.0/24").size(), 256);
        assert_eq!(Ipv4Cidr::ANY.size(), 1 << 32);
        assert!(Ipv4Cidr::ANY.contains("8.8.8.8".parse::<Ipv4Addr>().unwrap()));
        assert_eq!(c("10.0.1.0/24").to_string(), "10.0.1.0/24");
        assert_eq!(
            "10.0.1.5/24".parse::<Ipv4Cidr>().unwrap_err().to_string(),
            "`10.0.1.5/24` has host bits set; did you mean 10.0.1.0/24?"
        );
        assert!("10.0.0.0/33".parse::<Ipv4Cidr>().is_err());
        assert!("10.0.0/8".parse::<Ipv4Cidr>().is_err());
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, "\"10.0.0.0/16\"");
        assert_eq!(serde_json::from_str::<Ipv4Cidr>(&json).unwrap(), v);
    }
}
