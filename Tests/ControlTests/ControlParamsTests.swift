// SPDX-License-Identifier: Apache-2.0
import ControlProtocol
import Foundation
import Testing

@testable import ChatServer

/// Typed params refuse what the hand-written checks refused, in the same words: clients
/// and scripts have seen these messages. `{"all_nodes":1}` is no Bool on Linux either.
@Suite struct ControlParamsTests {
    static func message<P: Decodable>(_ type: P.Type, _ json: String) throws -> String? {
        let params = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        do throws(ControlError) {
            _ = try ControlParams.decode(P.self, from: try ControlParams.object(params))
            return nil
        } catch {
            #expect(error.code == ControlError.Code.invalidParams)
            return error.message
        }
    }

    @Test func theRefusalsKeepTheirWording() throws {
        #expect(
            try Self.message(Control.Stats.Params.self, #"{"all_nodes":1}"#)
                == "invalid params: all_nodes must be true or false"
        )
        #expect(
            try Self.message(Control.Stats.Params.self, #"{"all_nodes":"yes"}"#)
                == "invalid params: all_nodes must be true or false"
        )
        #expect(try Self.message(Control.UserGet.Params.self, #"{}"#) == "invalid params: user_id is required")
        #expect(
            try Self.message(Control.UserGet.Params.self, #"{"user_id":null}"#) == "invalid params: user_id is required"
        )
        #expect(
            try Self.message(Control.UserGet.Params.self, #"{"user_id":"42"}"#)
                == "invalid params: user_id must be a whole number"
        )
        #expect(
            try Self.message(Control.UserGet.Params.self, #"{"user_id":1.5}"#)
                == "invalid params: user_id must be a whole number"
        )
        #expect(
            try Self.message(Control.UserList.Params.self, #"{"count":1e20}"#)
                == "invalid params: count must be a whole number"
        )
        #expect(
            try Self.message(Control.Broadcast.Params.self, #"{"text":5}"#) == "invalid params: text must be a string"
        )
        #expect(
            try Self.message(Control.UserList.Params.self, #"{"cursor":0}"#)
                == "invalid params: cursor must be a string"
        )
        #expect(
            try Self.message(Control.SessionKick.Params.self, #"{"session_ids":"1a"}"#)
                == "invalid params: session_ids must be an array of strings"
        )
        #expect(
            try Self.message(Control.SessionKick.Params.self, #"{"session_ids":[1]}"#)
                == "invalid params: session_ids must be an array of strings"
        )
        #expect(try Self.message(Control.UserGet.Params.self, #"[42]"#) == "invalid params: params must be an object")
    }

    @Test func nullAndAbsentParamsAreAnEmptyObject() throws {
        #expect(try Self.message(Control.Stats.Params.self, #"null"#) == nil)
        #expect(try Self.message(Control.Stats.Params.self, #"{"all_nodes":null}"#) == nil)
        #expect(try Self.message(NoParams.self, #"{"anything":1}"#) == nil)
    }
}
