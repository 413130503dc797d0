//! Regression test written by `strider fuzz run`: replays finding cfbcd6204233 of "process-upload"
//! (crash: panic at /work/main/examples/shop-handlers/src/process_upload.rs:56:14: object key stays inside the work directory: StripPrefixError(())). It fails until the handler is fixed; keep it afterwards.

#[test]
fn finding_cfbcd6204233_replays_cleanly() {
    online_shop_fuzz::process_upload_s3::replay(include_str!("../findings/process_upload/cfbcd6204233.json"));
}
