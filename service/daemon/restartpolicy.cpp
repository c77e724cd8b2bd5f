#include "restartpolicy.h"

namespace sluice::RestartPolicy {

bool isSupervised(bool supervisedOption, const QProcessEnvironment &env)
{
    if (supervisedOption)
        return true;
    for (const char *name : {"INVOCATION_ID", "NOTIFY_SOCKET", "XPC_SERVICE_NAME"}) {
        if (!env.value(QLatin1String(name)).isEmpty())
            return true;
    }
    return false;
}

} // namespace sluice::RestartPolicy
