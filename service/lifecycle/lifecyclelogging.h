#pragma once
#include <QLoggingCategory>

// The stop/restart/forensics part of sluiced (QT_LOGGING_RULES="sluice.lifecycle.debug=true").
Q_DECLARE_LOGGING_CATEGORY(lcLifecycle) // sluice.lifecycle
Q_DECLARE_LOGGING_CATEGORY(lcWatch)     // sluice.watch     HOME marker watcher
