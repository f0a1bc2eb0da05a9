//! Signet's relationship engine (issue 20): "may this subject do this to that object?".
//!
//! - [`schema`]: the schema language — types, relations with the subject types they allow, and
//!   permissions built from relations with union (`+`), intersection (`&`), exclusion (`-`) and
//!   arrows (`parent->view`: the `view` of every object the `parent` relation points to).
//!   Errors name the line and column.
//! - [`tuple`]: relationship tuples `type:id#relation@subject`, the subject being `user:42`,
//!   a userset `group:eng#member`, or everyone of a type `user:*`.
//! - [`engine`]: an in-memory graph of tuples validated against a schema, and `check`: cycle-safe,
//!   depth-limited, failing closed.
//!
//! No I/O, no HTTP, no database types: the server loads the graph from the store and keeps it
//! current; the engine can be benchmarked and property-tested alone.

mod compiled;
pub mod condition;
pub mod engine;
pub mod list;
pub mod schema;
pub mod tuple;
mod walk;

pub use condition::{Condition, Context, Need};
pub use engine::{Decision, Engine, EvalError, Explanation, Step, WriteError, MAX_DEPTH};
pub use schema::{Schema, SchemaError};
pub use tuple::{Object, Subject, Tuple, TupleError};
