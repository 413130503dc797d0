//! Reports: pure functions from an [`Assessment`](crate::assessment::Assessment) to bytes, one
//! file per format.

pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;
