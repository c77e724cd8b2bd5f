#pragma once
#include "sluice/ipcclient.h"
#include "sluice/paths.h"
#include "sluice/runtimestatus.h"

#include <QJsonObject>
#include <QString>
#include <functional>

namespace sluice::ctl {

// sluicectl's way to the service: an IpcClient driven by local event loops. A CLI may block
// its own loop, but never without a limit: every wait here has a timeout.
class ServiceLink
{
public:
    explicit ServiceLink(const HomePaths &paths);

    // Connects to the socket named in gateway_state.json (or HOME's default). False when
    // nothing answers within timeoutMs.
    bool connect(int timeoutMs = 3000, QString *error = nullptr);
    IpcReply call(const QString &cmd, const QJsonObject &args = {}, int timeoutMs = 15000);
    IpcClient *client() { return &m_client; }

    // Spins the event loop until `done` returns true (checked on every IPC event, on a
    // disconnect and every pollMs) or timeoutMs passes (<= 0: no limit). True when done.
    bool waitUntil(const std::function<bool()> &done, int timeoutMs, int pollMs = 500);
    bool disconnected() const { return m_disconnected; }

    // The persisted status, and whether the process it names is alive (same pid + start time).
    RuntimeStatus persistedStatus() const;
    static bool processAlive(const RuntimeStatus &status);
    // Spins the event loop for `ms` (used between polls).
    static void spin(int ms);

private:
    HomePaths m_paths;
    IpcClient m_client;
    bool m_disconnected = false;
};

} // namespace sluice::ctl
