//! Decodes a checked YAML tree into the model types through serde.
//!
//! Runs only after [`super::schema_check`] found nothing, so a failure here is rare; when it happens
//! it still becomes a diagnostic at the node that failed.

use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::diagnostic::{Code, Diagnostic, Span};
use super::yaml::{Node, ScalarType, Value, parse_integer};

/// Decodes a node into `T`.
///
/// # Errors
/// A diagnostic at the node that could not be decoded.
pub fn decode<T: DeserializeOwned>(node: &Node) -> Result<T, Diagnostic> {
    T::deserialize(node).map_err(|err| {
        let span = err.span.unwrap_or(node.span);
        Diagnostic::error(Code::WrongType, span, err.message).with_label("cannot be read")
    })
}

/// A decoding failure with the place it happened.
#[derive(Debug)]
pub struct DecodeError {
    message: String,
    span: Option<Span>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError {
            message: msg.to_string(),
            span: None,
        }
    }
}

fn at(node: &Node) -> impl FnOnce(DecodeError) -> DecodeError + '_ {
    move |mut err| {
        err.span.get_or_insert(node.span);
        err
    }
}

impl Node {
    fn is_null(&self) -> bool {
        self.scalar_type() == Some(ScalarType::Null)
    }

    fn integer(&self) -> Result<i128, DecodeError> {
        self.as_scalar()
            .and_then(parse_integer)
            .ok_or_else(|| DecodeError {
                message: format!("expected a whole number, found {}", self.describe()),
                span: Some(self.span),
            })
    }
}

macro_rules! integer {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            let value = <$ty>::try_from(self.integer()?).map_err(|_| DecodeError {
                message: format!("number out of range for {}", stringify!($ty)),
                span: Some(self.span),
            })?;
            visitor.$visit(value)
        }
    };
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => visitor.visit_unit(),
            Value::Scalar { text, .. } => visitor.visit_borrowed_str(text),
            Value::Sequence(items) => visitor.visit_seq(Items(items.iter())).map_err(at(self)),
            Value::Mapping(entries) => visitor
                .visit_map(Entries {
                    entries: entries.iter(),
                    value: None,
                })
                .map_err(at(self)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.as_scalar() {
            Some("true" | "True" | "TRUE") => visitor.visit_bool(true),
            Some("false" | "False" | "FALSE") => visitor.visit_bool(false),
            _ => Err(DecodeError {
                message: format!("expected a boolean, found {}", self.describe()),
                span: Some(self.span),
            }),
        }
    }

    integer!(deserialize_i8, visit_i8, i8);
    integer!(deserialize_i16, visit_i16, i16);
    integer!(deserialize_i32, visit_i32, i32);
    integer!(deserialize_i64, visit_i64, i64);
    integer!(deserialize_u8, visit_u8, u8);
    integer!(deserialize_u16, visit_u16, u16);
    integer!(deserialize_u32, visit_u32, u32);
    integer!(deserialize_u64, visit_u64, u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let value = self
            .as_scalar()
            .and_then(|t| t.parse::<f64>().ok())
            .ok_or_else(|| DecodeError {
                message: format!("expected a number, found {}", self.describe()),
                span: Some(self.span),
            })?;
        visitor.visit_f64(value)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => visitor.visit_borrowed_str(text),
            _ => Err(DecodeError {
                message: format!("expected a string, found {}", self.describe()),
                span: Some(self.span),
            }),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match &self.value {
            Value::Scalar { text, .. } => visitor
                .visit_enum(text.as_str().into_deserializer())
                .map_err(at(self)),
            _ => Err(DecodeError {
                message: format!("expected a name, found {}", self.describe()),
                span: Some(self.span),
            }),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.is_null() {
            visitor.visit_seq(Items([].iter()))
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.is_null() {
            visitor.visit_map(Entries {
                entries: [].iter(),
                value: None,
            })
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if name == TYPED {
            return visitor
                .visit_newtype_struct(typed(self))
                .map_err(|err| DecodeError {
                    message: err.to_string(),
                    span: Some(self.span),
                });
        }
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct struct
        identifier ignored_any
    }
}

/// The newtype name by which [`Typed`] asks this deserializer for YAML's own scalar types.
const TYPED: &str = "$strider::model::decode::Typed";

/// A value as YAML types it (the core schema): unquoted numbers, booleans and null keep their
/// type, where the model's other fields read every scalar as the text their field wants. Data
/// written in a model (seeded table items) needs this: `1200` is a number, `"1200"` a string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Typed(pub serde_json::Value);

impl<'de> serde::Deserialize<'de> for Typed {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Typed, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Typed;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Typed, D::Error> {
                <serde_json::Value as serde::Deserialize>::deserialize(deserializer).map(Typed)
            }
        }
        deserializer.deserialize_newtype_struct(TYPED, Visit)
    }
}

impl schemars::JsonSchema for Typed {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Item".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "An item as plain YAML: attribute → value."
        })
    }
}

/// A node as YAML's core schema types it. Numbers too large for JSON stay text.
fn typed(node: &Node) -> serde_json::Value {
    use serde_json::Value as Json;
    match &node.value {
        Value::Scalar { text, .. } => match node.scalar_type() {
            Some(ScalarType::Null) => Json::Null,
            Some(ScalarType::Bool) => Json::Bool(matches!(text.as_str(), "true" | "True" | "TRUE")),
            Some(ScalarType::Integer) => parse_integer(text)
                .and_then(|n| i64::try_from(n).ok())
                .map_or_else(|| Json::String(text.clone()), Json::from),
            Some(ScalarType::Float) => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| Json::String(text.clone()), Json::Number),
            _ => Json::String(text.clone()),
        },
        Value::Sequence(items) => Json::Array(items.iter().map(typed).collect()),
        Value::Mapping(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| (key.text.clone(), typed(value)))
                .collect(),
        ),
    }
}

struct Items<'de>(std::slice::Iter<'de, Node>);

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        self.0
            .next()
            .map(|item| seed.deserialize(item).map_err(at(item)))
            .transpose()
    }
}

struct Entries<'de> {
    entries: std::slice::Iter<'de, (super::yaml::Key, Node)>,
    value: Option<&'de Node>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let key_deserializer: de::value::BorrowedStrDeserializer<'de, DecodeError> =
            de::value::BorrowedStrDeserializer::new(&key.text);
        seed.deserialize(key_deserializer)
            .map(Some)
            .map_err(|mut err| {
                err.span.get_or_insert(key.span);
                err
            })
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("value without a key"))?;
        seed.deserialize(value).map_err(at(value))
    }
}
