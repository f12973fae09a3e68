// SPDX-License-Identifier: Apache-2.0
/// The `type` of a frame's envelope. The first six are the seed's; the rest are
/// extensions a seed client ignores (PROTOCOL.md §1).
public enum MessageType: String, Sendable, CaseIterable {
    // Seed types.
    case login = "LoginMes"
    case loginResult = "LoginResMes"
    case register = "RegisterMes"
    case registerResult = "RegisterResMes"
    case notifyUserStatus = "NotifyUserStatusMes"
    case sms = "SmsMes"
    // Extensions.
    case smsResult = "SmsResMes"
    case privateMessage = "PrivateMes"
    case privateResult = "PrivateResMes"
    case onlineUsers = "OnlineUsersMes"
    case onlineUsersResult = "OnlineUsersResMes"
    case history = "HistoryMes"
    case historyResult = "HistoryResMes"
    case offline = "OfflineMes"
    case ping = "PingMes"
    case pong = "PongMes"
    case logout = "LogoutMes"
    case kicked = "KickedMes"
    case error = "ErrorMes"
}
