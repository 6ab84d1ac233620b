//! `hub`, `hub client add`, `sync configure`: the hub and this site's link
//! to it. (`sync` itself runs `crate::sync::run`.)

use super::{ADMIN, Ctx, Failure, Outcome, code, print_json};

/// Serve the hub's API until stopped.
pub fn serve(ctx: &Ctx, listen: &str, limits: crate::hub::Limits) -> Outcome {
    let reg = ctx.open()?;
    crate::hub::serve(reg, listen, limits).map_err(|e| Failure::Failed(format!("hub: {e}")))?;
    code(0)
}

/// Let a site's key post for `sources`. The secret is never on the command
/// line (`ps` shows it): `REGISTRAR_HUB_SECRET`, or a fresh one printed
/// once for the operator to hand to the site.
pub fn client_add(ctx: &Ctx, key_id: &str, sources: &[String]) -> Outcome {
    let (mut reg, _) = ctx.signed_in(ADMIN)?;
    let secret = std::env::var("REGISTRAR_HUB_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    let generated = secret.is_none();
    let secret = secret.unwrap_or_else(|| crate::core::ids::base62_id(""));
    reg.add_hub_client(key_id, &secret, sources)?;
    if generated {
        print_json(
            &serde_json::json!({"key_id": key_id, "sources": sources, "secret": secret}),
            false,
        );
    } else {
        print_json(
            &serde_json::json!({"key_id": key_id, "sources": sources}),
            false,
        );
    }
    code(0)
}

/// Point this site at a hub: the same service as the GUI's Settings → Hub
/// connection. The secret: `REGISTRAR_HUB_SECRET` or a prompt.
pub fn sync_configure(ctx: &Ctx, url: &str, key_id: &str, source: Option<&str>) -> Outcome {
    let reg = ctx.open()?;
    let who = ctx.actor(&reg, "REGISTRAR_PASSWORD")?;
    if let Some(v) = source {
        reg.configure_as(&who, "site_source", Some(v))?;
    }
    let secret = super::password("REGISTRAR_HUB_SECRET", "hub secret: ").map_err(Failure::Usage)?;
    reg.configure_hub(&who, url, key_id, Some(&secret))?;
    print_json(
        &serde_json::json!({"configured": true, "secret_file": crate::sync::secret_path(&ctx.db)}),
        false,
    );
    code(0)
}
