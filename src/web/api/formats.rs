//! Shapes of text and dates that many fields share, stated once in the document; fields
//! name them with `value_type`. Each says exactly what the domain's rule accepts.

use std::borrow::Cow;

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Text that is not only spaces and holds no control characters.
const PRINTABLE: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// Text without control characters (empty allowed: it clears an optional field).
const NO_CONTROL: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// A named string schema in the document (a component its fields refer to).
macro_rules! string_schema {
    ($(#[$doc:meta])* $name:ident: $build:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let builder: ObjectBuilder = $build;
                builder.schema_type(Type::String).build().into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

fn printable(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(PRINTABLE))
}

fn line(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .max_length(Some(max))
        .pattern(Some(NO_CONTROL))
}

string_schema!(
    /// One line of up to 20 characters, no control characters (empty clears).
    Line20: line(20)
);

string_schema!(
    /// One line of up to 100 characters, no control characters (empty clears).
    Line100: line(100)
);

string_schema!(
    /// One line of up to 200 characters, no control characters (empty clears).
    Line200: line(200)
);

string_schema!(
    /// A day in the years plans and cycles may use (1900–2200).
    PlanDate: ObjectBuilder::new()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(r"^(19\d\d|2[01]\d\d|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"))
);

string_schema!(
    /// An item's title: up to 200 characters, not only spaces, no control characters.
    ItemTitle: printable(200)
);

string_schema!(
    /// A cycle's name: up to 60 characters, not only spaces, no control characters.
    CycleName: printable(60)
);

string_schema!(
    /// An organization's or workspace's name: up to 100 characters, not only spaces, no
    /// control characters.
    PlaceName: printable(100)
);

string_schema!(
    /// An email address as the accounts rule takes it: a local part of up to 64 characters
    /// without spaces, control characters or `<>()[],;:"\`, and a dotted domain.
    EmailAddress: ObjectBuilder::new().max_length(Some(254)).pattern(Some(
        r#"^[^@\s<>()\[\],;:"\\\u0000-\u001F\u007F-\u009F]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"#
    ))
);

/// Story points: one of the planning-poker values.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes a field's shape for the document; values are `String`s.
pub enum StoryPointsValue {
    #[schema(rename = "0")]
    Zero,
    #[schema(rename = "1")]
    One,
    #[schema(rename = "2")]
    Two,
    #[schema(rename = "3")]
    Three,
    #[schema(rename = "5")]
    Five,
    #[schema(rename = "8")]
    Eight,
    #[schema(rename = "13")]
    Thirteen,
    #[schema(rename = "21")]
    TwentyOne,
    #[schema(rename = "40")]
    Forty,
    #[schema(rename = "?")]
    Unknown,
    #[schema(rename = "∞")]
    Infinite,
}
