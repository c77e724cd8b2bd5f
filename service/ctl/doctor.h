#pragma once
#include "ctl/ctlcommands.h"

namespace sluice::ctl {

// `sluicectl doctor`: checks HOME for what makes a gateway misbehave — stale drain and
// planned-stop markers, a stale lock, socket and token permissions, a stale state file and
// the service-manager alignment — with a verdict per check (ok / warn / fail). Exit 1 when
// any check fails.
int doctor(CtlContext &c);

} // namespace sluice::ctl
