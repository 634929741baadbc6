// Defaults that flags and vmdrift.yaml share, defined once. A leaf: it imports nothing.

/** Seconds to wait for a host to connect, and again for its script to finish. */
export const DEFAULT_TIMEOUT_SECONDS = 60

/** The config file a command reads from the working directory when --config names none. */
export const DEFAULT_CONFIG_FILE = 'vmdrift.yaml'
