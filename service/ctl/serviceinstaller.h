#pragma once
#include "ctl/ctlcommands.h"

#include "supervisor/unitgenerator.h"

#include <QString>

namespace sluice::ctl {

// `sluicectl service install|uninstall|status` (docs/reference.md §9, §12): writes, registers,
// removes and checks the service-manager definition produced by UnitGenerator.
class ServiceInstaller
{
public:
    explicit ServiceInstaller(CtlContext &context);

    // Fills the generator config from the options (--platform, --system, --drain-timeout,
    // --interrupt-grace), else the installed definition's own values, else HOME's config file
    // (drain-timeout / interrupt-grace), else the defaults. False (+ usage error) on bad input.
    bool resolve(int *exitCode);

    int install();
    int uninstall();
    int status();

    // For doctor: is a definition installed, and does it differ from what would be generated?
    struct Check
    {
        bool installed = false;
        bool drift = false;
        QString path;
        QStringList differences; // "- installed line" / "+ generated line", a few
        qint64 budgetS = 0;
        qint64 installedTimeoutStopS = -1; // systemd TimeoutStopSec of the installed unit
    };
    Check check() const;
    const UnitGenerator::Config &config() const { return m_config; }

    static QStringList lineDiff(const QString &installed, const QString &generated, int max = 12);

private:
    // Runs argv with a time limit. Missing tools are skipped (not an error): *skipped says so.
    bool run(const QStringList &argv, QString *output, bool *skipped) const;
    QString toolFor(const QString &name) const;

    CtlContext &m_c;
    UnitGenerator::Config m_config;
};

int serviceCommand(CtlContext &c);

} // namespace sluice::ctl
