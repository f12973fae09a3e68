// SPDX-License-Identifier: Apache-2.0
/// Every configuration key. The file, the environment (`CHATD_` + upper-case key)
/// and the flags all use these names. `etc/chatd/chatd.conf` documents each one.
enum ConfigKey: String, CaseIterable {
    case listen
    case tlsListen = "tls_listen"
    case tlsCertificate = "tls_certificate"
    case tlsKey = "tls_key"
    case controlSocket = "control_socket"
    case metricsListen = "metrics_listen"
    case adminGroup = "admin_group"
    case adminUsers = "admin_users"
    case controlIdleTimeout = "control_idle_timeout"
    case redisURL = "redis_url"
    case redisKeyPrefix = "redis_key_prefix"
    case redisPasswordFile = "redis_password_file"
    case redisTLSCAFile = "redis_tls_ca_file"
    case redisTLSCertificate = "redis_tls_certificate"
    case redisTLSKey = "redis_tls_key"
    case redisPoolSize = "redis_pool_size"
    case redisTimeout = "redis_timeout"
    case seedUserHash = "seed_user_hash"
    case maxFrameSize = "max_frame_size"
    case idleTimeout = "idle_timeout"
    case loginTimeout = "login_timeout"
    case historyMax = "history_max"
    case historyPageMax = "history_page_max"
    case offlineMax = "offline_max"
    case scryptN = "scrypt_n"
    case scryptR = "scrypt_r"
    case scryptP = "scrypt_p"
    case logLevel = "log_level"
    case logTarget = "log_target"
    case shutdownTimeout = "shutdown_timeout"
    case tokenTTL = "token_ttl"
    case tokenKeyFile = "token_key_file"
    case outboundQueueMax = "outbound_queue_max"
    case rateLimit = "rate_limit"
    case rateBurst = "rate_burst"
    case frameTimeout = "frame_timeout"
    case loginFailuresPerUser = "login_failures_per_user"
    case loginFailuresPerAddress = "login_failures_per_address"
    case loginWindow = "login_window"
    case registration
    case registrationsPerAddress = "registrations_per_address"
    case maxSessionsPerUser = "max_sessions_per_user"
    case maxConnections = "max_connections"
    case connectionsPerAddress = "connections_per_address"
    case presenceTTL = "presence_ttl"
    case presenceGrace = "presence_grace"
    case presenceNoticesMaxUsers = "presence_notices_max_users"
    case motd

    var environmentName: String { "CHATD_" + rawValue.uppercased() }

}
