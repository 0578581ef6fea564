// The zstd compression library (libzstd) for the Snapshot target: the stable API only.
#include <zstd.h>
