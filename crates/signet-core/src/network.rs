//! Client addresses reduced to their network, for the new-device sign-in notice: a user who
//! signs in again from their usual network (a new address from the same provider pool) is not
//! "somewhere new". IPv4 keeps its /24, IPv6 its /48 (the usual end-site allocation, RFC 6177).

use std::net::IpAddr;

/// `203.0.113.0/24` or `2001:db8:1::/48`; `None` for text that is not an address.
pub fn prefix(ip: &str) -> Option<String> {
    Some(match ip.parse::<IpAddr>().ok()?.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{}/48", std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::prefix;

    #[test]
    fn reduces_to_the_network() {
        assert_eq!(prefix("203.0.113.77").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(prefix("::ffff:203.0.113.9").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(prefix("2001:db8:1:2::5").as_deref(), Some("2001:db8:1::/48"));
        assert_eq!(prefix("not an ip"), None);
    }
}
