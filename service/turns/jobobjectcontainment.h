#pragma once
#include "turns/containment.h"

namespace sluice {

// Windows: one Job Object per turn with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, so nothing a turn
// starts outlives it or sluiced. The agent starts suspended, joins its job, then runs: not
// even its first child is outside. Interrupt = CTRL_BREAK to the agent's console group, then
// TerminateJobObject after the grace; "empty" = the job's active process count is 0;
// accounting from QueryInformationJobObject; limits through the job's extended limits.
class JobObjectContainment : public Containment
{
public:
    static std::unique_ptr<JobObjectContainment> create(const TurnLimits &limits, QString *error);

    Mode mode() const override { return Mode::JobObject; }
    QJsonObject describe() const override;
    TurnContainer *createContainer(const QString &turnId, QObject *parent) override;
    void release() override {}
    void killAllNow() override {} // KILL_ON_JOB_CLOSE: the jobs die with the process
    // No hand-off restart on Windows (docs/lifecycle.md): a predecessor's jobs close with it.
    void killForeignTurn(const QString &, qint64) override {}

private:
    TurnLimits m_limits;
};

} // namespace sluice
