#pragma once
#include <QString>
#include <QtGlobal>

namespace sluice {

// Faults a test build can inject into the stop sequence, to prove the stop watchdog. Compiled
// in only with the CMake option SLUICE_FAULT_INJECTION (tools/dev.sh test turns it on); a
// release build reads no SLUICE_TEST_* variable and these are no-ops.
namespace FaultInjection {
// Whether this build reads the SLUICE_TEST_* variables at all.
bool isEnabled();
// SLUICE_TEST_HANG_PHASE: the stop phase that never completes; empty for none.
QString hangPhase();
// SLUICE_TEST_WATCHDOG_S: replaces the watchdog budget (seconds, > 0); else budgetMs.
qint64 watchdogBudgetMs(qint64 budgetMs);
} // namespace FaultInjection

} // namespace sluice
