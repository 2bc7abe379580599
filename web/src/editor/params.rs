//! Editing one parameter from the inspector: the text a user typed is parsed against the
//! catalog's description (type, unit, range) and applied to a copy of the component; anything
//! that does not parse is refused with the reason. The inspector then has the engine's worker
//! check the copy against the core's validation of that component's parameters
//! (`Question::NewParameterError`) before it stores it.

use serde_json::Value;
use strata_core::catalog::{ParamInfo, ParamType};
use strata_core::topology::{Cidr, Component, Topology};

/// A component as a JSON object (through text: the same serializer as documents, which keeps
/// the bundle small).
fn component_value(c: &Component) -> Value {
    serde_json::to_string_pretty(c).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

/// A serde message without its " at line 1 column 80" suffix (meaningless to the user here).
fn strip_position(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_string()
}

/// The text shown in a field for the current value.
pub fn field_text(c: &Component, name: &str) -> String {
    let v = component_value(c).get(name).cloned().unwrap_or(Value::Null);
    match v {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => serde_json::to_string(&other).unwrap_or_default(),
    }
}

fn fmt_num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The valid range as words ("between 0 and 1", "at least 0").
pub fn range_text(p: &ParamInfo) -> Option<String> {
    let unit = if p.unit.is_empty() { String::new() } else { format!(" {}", p.unit) };
    match (p.min, p.max) {
        (Some(lo), Some(hi)) if hi.is_finite() => Some(format!("{} to {}{unit}", fmt_num(lo), fmt_num(hi))),
        (Some(lo), _) => Some(format!("at least {}{unit}", fmt_num(lo))),
        _ => None,
    }
}

/// Parses field text into the JSON value for the parameter, or says why not.
pub fn parse_value(p: &ParamInfo, text: &str) -> Result<Value, String> {
    let t = text.trim();
    let nullable = p.default == "null";
    let in_range = |v: f64| -> Result<(), String> {
        let lo = p.min.unwrap_or(f64::NEG_INFINITY);
        let hi = p.max.unwrap_or(f64::INFINITY);
        if v < lo || v > hi {
            Err(format!("{} is out of range: {} must be {}", fmt_num(v), p.name, range_text(p).unwrap_or_default()))
        } else {
            Ok(())
        }
    };
    match p.ty {
        ParamType::Number => {
            let v: f64 = t.parse().map_err(|_| format!("`{t}` is not a number"))?;
            if !v.is_finite() {
                return Err("enter a finite number".into());
            }
            in_range(v)?;
            Ok(serde_json::json!(v))
        }
        ParamType::Integer => {
            if t.is_empty() && nullable {
                return Ok(Value::Null);
            }
            let v: i64 = t.parse().map_err(|_| format!("`{t}` is not a whole number"))?;
            if v < 0 {
                return Err(format!("{v} is negative: {} cannot be below 0", p.name));
            }
            in_range(v as f64)?;
            Ok(serde_json::json!(v))
        }
        ParamType::Bool => match t {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("`{t}` is not true or false")),
        },
        ParamType::Choice { options } => {
            if options.contains(&t) {
                Ok(Value::String(t.to_string()))
            } else {
                Err(format!("`{t}` is not one of {}", options.join(", ")))
            }
        }
        _ => {
            if t.is_empty() && nullable {
                return Ok(Value::Null);
            }
            serde_json::from_str(t).map_err(|e| format!("not valid JSON: {e}"))
        }
    }
}

/// Applies a parameter edit to component `id`, returning the new topology, or the reason it is
/// refused (parse error, range or shape; validation is the worker's, see the module's words).
pub fn apply_param(t: &Topology, id: &str, p: &ParamInfo, text: &str) -> Result<Topology, String> {
    let value = parse_value(p, text)?;
    let idx = t.components.iter().position(|c| c.id == id).ok_or_else(|| format!("`{id}` no longer exists"))?;
    let mut v = component_value(&t.components[idx]);
    if let Some(obj) = v.as_object_mut() {
        obj.insert(p.name.to_string(), value);
    }
    let c: Component = serde_json::from_str(&serde_json::to_string_pretty(&v).unwrap_or_default())
        .map_err(|e| format!("not a valid {}: {}", p.name, strip_position(&e.to_string())))?;
    let mut next = t.clone();
    next.components[idx] = c;
    Ok(next)
}

/// The editable fields of a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerField {
    /// Display name.
    Label,
    /// IPv4 block.
    Cidr,
    /// Subnet routes to an internet gateway.
    Public,
}

/// Applies a container edit, refusing a CIDR that does not parse or does not fit its VPC.
pub fn apply_container(t: &Topology, id: &str, field: ContainerField, text: &str) -> Result<Topology, String> {
    let mut next = t.clone();
    let idx = next.containers.iter().position(|c| c.id == id).ok_or_else(|| format!("`{id}` no longer exists"))?;
    match field {
        ContainerField::Label => next.containers[idx].label = text.to_string(),
        ContainerField::Public => next.containers[idx].public = text == "true",
        ContainerField::Cidr => {
            let cidr = Cidr::parse(text.trim())?;
            if let Some(parent) = next.containers[idx].parent.as_deref().and_then(|p| t.container(p)) {
                if let Some(pc) = parent.cidr.as_deref().and_then(|c| Cidr::parse(c).ok()) {
                    if !pc.contains(&cidr) {
                        return Err(format!(
                            "{} is not inside {} ({})",
                            text.trim(),
                            parent.label,
                            parent.cidr.as_deref().unwrap_or("")
                        ));
                    }
                }
            }
            next.containers[idx].cidr = Some(text.trim().to_string());
        }
    }
    Ok(next)
}

/// Applies a connection's share (weight or calls per request).
pub fn apply_share(t: &Topology, index: usize, text: &str) -> Result<Topology, String> {
    let v: f64 = text.trim().parse().map_err(|_| format!("`{}` is not a number", text.trim()))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{v} is out of range: share must be 0 or more"));
    }
    let mut next = t.clone();
    next.connections.get_mut(index).ok_or("that connection no longer exists")?.share = v;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::catalog::kind_info;
    use strata_core::topology::ComponentKind;

    fn param(kind: ComponentKind, name: &str) -> &'static ParamInfo {
        kind_info(kind).params.iter().find(|p| p.name == name).unwrap()
    }

    fn doc() -> Topology {
        let mut t = Topology::new("p");
        t.add("db", ComponentKind::Rds, None);
        t.add("cdn", ComponentKind::Cloudfront, None);
        t
    }

    #[test]
    fn valid_values_are_stored() {
        let t = doc();
        let next = apply_param(&t, "db", param(ComponentKind::Rds, "read_replicas"), "3").unwrap();
        assert_eq!(field_text(next.component("db").unwrap(), "read_replicas"), "3");
        let next = apply_param(&next, "db", param(ComponentKind::Rds, "multi_az"), "false").unwrap();
        assert_eq!(field_text(next.component("db").unwrap(), "multi_az"), "false");
        let next = apply_param(&next, "db", param(ComponentKind::Rds, "instance_class"), "db.r5.large").unwrap();
        assert_eq!(field_text(next.component("db").unwrap(), "instance_class"), "db.r5.large");
        let next = apply_param(&next, "db", param(ComponentKind::Rds, "vcpus"), "").unwrap();
        assert_eq!(field_text(next.component("db").unwrap(), "vcpus"), "");
    }

    #[test]
    fn invalid_values_are_refused_with_a_reason() {
        let t = doc();
        let e = apply_param(&t, "cdn", param(ComponentKind::Cloudfront, "hit_ratio"), "1.5").unwrap_err();
        assert!(e.contains("out of range") && e.contains("0 to 1"), "{e}");
        let e = apply_param(&t, "db", param(ComponentKind::Rds, "read_replicas"), "two").unwrap_err();
        assert!(e.contains("not a whole number"), "{e}");
        let e = apply_param(&t, "db", param(ComponentKind::Rds, "read_replicas"), "-1").unwrap_err();
        assert!(e.contains("negative"), "{e}");
        let e = apply_param(&t, "db", param(ComponentKind::Rds, "instance_class"), "db.huge").unwrap_err();
        assert!(e.contains("not one of"), "{e}");
        let e = apply_param(&t, "db", param(ComponentKind::Rds, "query_time"), r#"{"dist":"nope"}"#).unwrap_err();
        assert!(e.contains("query_time"), "{e}");
    }

    #[test]
    fn range_words() {
        assert_eq!(range_text(param(ComponentKind::Cloudfront, "hit_ratio")).unwrap(), "0 to 1");
        assert_eq!(range_text(param(ComponentKind::Ec2, "timeout_ms")).unwrap(), "at least 0 ms");
    }

    #[test]
    fn container_and_share_edits() {
        let mut t = Topology::new("c");
        t.containers.push(strata_core::topology::Container {
            id: "v".into(),
            kind: strata_core::topology::ContainerKind::Vpc,
            parent: None,
            label: "main".into(),
            cidr: Some("10.0.0.0/16".into()),
            public: false,
            az: None,
        });
        t.containers.push(strata_core::topology::Container {
            id: "s".into(),
            kind: strata_core::topology::ContainerKind::Subnet,
            parent: Some("v".into()),
            label: "a".into(),
            cidr: Some("10.0.1.0/24".into()),
            public: false,
            az: None,
        });
        assert!(apply_container(&t, "s", ContainerField::Cidr, "10.0.2.0/24").is_ok());
        assert!(apply_container(&t, "s", ContainerField::Cidr, "10.9.2.0/24").unwrap_err().contains("not inside"));
        assert!(apply_container(&t, "s", ContainerField::Cidr, "banana").is_err());
        t.add("a", ComponentKind::Alb, None);
        t.add("b", ComponentKind::Ec2, None);
        t.connect("a", "b");
        assert_eq!(apply_share(&t, 0, "0.5").unwrap().connections[0].share, 0.5);
        assert!(apply_share(&t, 0, "-1").is_err());
    }
}
