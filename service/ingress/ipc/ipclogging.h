#pragma once
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcIpcServer) // sluice.ipcserver  local socket server
