#include "sluice/logging.h"

Q_LOGGING_CATEGORY(lcPaths, "sluice.paths")
Q_LOGGING_CATEGORY(lcFiles, "sluice.files")
Q_LOGGING_CATEGORY(lcMarkers, "sluice.markers")
Q_LOGGING_CATEGORY(lcIpc, "sluice.ipc")
Q_LOGGING_CATEGORY(lcForensics, "sluice.forensics")
