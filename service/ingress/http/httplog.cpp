#include "ingress/http/httplog.h"

Q_LOGGING_CATEGORY(lcHttp, "sluice.http")
