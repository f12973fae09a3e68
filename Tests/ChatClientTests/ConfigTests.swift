// SPDX-License-Identifier: Apache-2.0
import ChatClient
import Testing

@Suite struct ConfigTests {
    @Test func defaultsWhenNothingIsSet() throws {
        let config = try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: ConfigLayer())
        #expect(
            config == ClientConfig(server: ServerAddress(host: "127.0.0.1", port: 8889), user: nil, passwordFile: nil)
        )
    }

    @Test func flagsBeatEnvironmentBeatsFileFieldByField() throws {
        let flags = ConfigLayer(server: "flag.example:1")
        let env = ConfigLayer(server: "env.example:2", user: "200")
        let file = ConfigLayer(server: "file.example:3", user: "300", passwordFile: "/file/pw")
        let config = try ClientConfig.resolve(flags: flags, environment: env, file: file)
        #expect(config.server == ServerAddress(host: "flag.example", port: 1))
        #expect(config.user == 200)
        #expect(config.passwordFile == "/file/pw")
    }

    @Test func fileFillsWhatNothingElseSets() throws {
        let file = try ConfigLayer.file(
            """
            # my chat settings
            server = chat.example:9000   # trailing comment
              user=100

            password_file = ~/.chat-password
            """,
            path: "cfg"
        )
        let config = try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: file)
        #expect(
            config
                == ClientConfig(
                    server: ServerAddress(host: "chat.example", port: 9000),
                    user: 100,
                    passwordFile: "~/.chat-password"
                )
        )
    }

    @Test func bellIsOnUnlessTheFileSaysOff() throws {
        #expect(try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: ConfigLayer()).bell)
        let off = try ConfigLayer.file("bell = off\n", path: "cfg")
        #expect(try !ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: off).bell)
        #expect(throws: ChatFailure(.usage, "invalid bell setting `loud` (expected true or false)")) {
            try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: ConfigLayer(bell: "loud"))
        }
    }

    @Test func environmentVariablesAndEmptyValues() {
        let layer = ConfigLayer.environment([
            "CHAT_SERVER": "h:1", "CHAT_USER": "", "CHAT_PASSWORD_FILE": "/pw", "OTHER": "x",
        ])
        #expect(
            layer
                == ConfigLayer(
                    server: "h:1",
                    user: nil,
                    passwordFile: "/pw",
                    origins: ["server": "CHAT_SERVER", "password_file": "CHAT_PASSWORD_FILE"]
                )
        )
    }

    @Test func fileErrorsNameTheLine() {
        #expect(throws: ChatFailure(.usage, "cfg:2: unknown key \"sever\"")) {
            try ConfigLayer.file("user = 1\nsever = x:1\n", path: "cfg")
        }
        #expect(throws: ChatFailure(.usage, "cfg:1: expected \"key = value\"")) {
            try ConfigLayer.file("just words\n", path: "cfg")
        }
        #expect(throws: ChatFailure(.usage, "cfg:3: \"user\" is set twice (first on line 1)")) {
            try ConfigLayer.file("user = 1\n\nuser = 2\n", path: "cfg")
        }
    }

    /// The syntax is chatd's (one parser, ConfigSyntax): these are the rules that used to trap.
    @Test func inlineCommentsEndAValueAfterWhiteSpaceOnly() throws {
        let layer = try ConfigLayer.file(
            """
            user = 100  # me
            password_file = /secrets/pass#1
            server = chat.example:1#x
            """,
            path: "cfg"
        )
        #expect(layer.user == "100")
        #expect(layer.passwordFile == "/secrets/pass#1")
        #expect(layer.server == "chat.example:1#x")
    }

    @Test func quotedValuesKeepSpacesAndHashes() throws {
        let layer = try ConfigLayer.file(
            """
            password_file = "/home/ann/my pass  "   # spaces kept
            ca_file = '/etc/ca # "two"'
            server = ""
            """,
            path: "cfg"
        )
        #expect(layer.passwordFile == "/home/ann/my pass  ")
        #expect(layer.caFile == "/etc/ca # \"two\"")
        #expect(layer.server == "")
    }

    @Test func quoteErrorsNameTheLine() {
        #expect(throws: ChatFailure(.usage, "cfg:2: unterminated \" quote")) {
            try ConfigLayer.file("user = 1\npassword_file = \"/a b # c\n", path: "cfg")
        }
        #expect(throws: ChatFailure(.usage, "cfg:1: unterminated ' quote")) {
            try ConfigLayer.file("password_file = 'x\n", path: "cfg")
        }
        #expect(
            throws: ChatFailure(.usage, "cfg:1: unexpected \"b\" after the closing \" quote (quote the whole value)")
        ) {
            try ConfigLayer.file("password_file = \"a\" b\n", path: "cfg")
        }
    }

    /// A bad value names where it was set: the file's line, the variable, or the flag.
    @Test func badValuesNameTheirSource() throws {
        let file = try ConfigLayer.file("# settings\nserver = chat.example:1\nuser = ann\ntls = maybe\n", path: "cfg")
        #expect(throws: ChatFailure(.usage, "cfg:3: invalid user id `ann` (expected a number)")) {
            try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: file)
        }
        #expect(throws: ChatFailure(.usage, "cfg:4: invalid tls setting `maybe` (expected true or false)")) {
            try ClientConfig.resolve(flags: ConfigLayer(), environment: .environment(["CHAT_USER": "1"]), file: file)
        }
        #expect(throws: ChatFailure(.usage, "CHAT_SERVER: invalid server address `nope` (expected HOST:PORT)")) {
            try ClientConfig.resolve(
                flags: ConfigLayer(),
                environment: .environment(["CHAT_SERVER": "nope"]),
                file: file
            )
        }
        let flags = ConfigLayer.flags(server: nil, user: "bob", passwordFile: nil, tls: nil, caFile: nil)
        #expect(throws: ChatFailure(.usage, "--user: invalid user id `bob` (expected a number)")) {
            try ClientConfig.resolve(flags: flags, environment: ConfigLayer(), file: file)
        }
    }

    @Test func invalidValuesAreUsageErrors() {
        #expect(throws: ChatFailure.self) {
            try ClientConfig.resolve(flags: ConfigLayer(user: "ann"), environment: ConfigLayer(), file: ConfigLayer())
        }
        #expect(throws: ChatFailure.self) {
            try ClientConfig.resolve(
                flags: ConfigLayer(),
                environment: ConfigLayer(server: "no-port"),
                file: ConfigLayer()
            )
        }
    }

    @Test(arguments: [
        ("127.0.0.1:8889", ServerAddress(host: "127.0.0.1", port: 8889)),
        ("[::1]:7000", ServerAddress(host: "::1", port: 7000)),
        ("chat.example.org:1", ServerAddress(host: "chat.example.org", port: 1)),
    ])
    func serverAddresses(text: String, address: ServerAddress) {
        #expect(ServerAddress(parsing: text) == address)
    }

    @Test(arguments: ["host", "host:", ":80", "host:0", "host:70000", "host:http"])
    func badServerAddresses(text: String) {
        #expect(ServerAddress(parsing: text) == nil)
    }

    @Test func configFilePath() {
        #expect(ClientConfig.filePath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/chat/config")
        #expect(ClientConfig.filePath(environment: ["HOME": "/h"]) == "/h/.config/chat/config")
        // The XDG spec says relative values are to be ignored.
        #expect(
            ClientConfig.filePath(environment: ["XDG_CONFIG_HOME": "rel", "HOME": "/h"]) == "/h/.config/chat/config"
        )
        #expect(ClientConfig.filePath(environment: [:]) == nil)
    }

    @Test func passwordFileContents() {
        #expect(Credentials.password(fromFileContents: "s3cret\n") == "s3cret")
        #expect(Credentials.password(fromFileContents: "s3cret\r\nignored\n") == "s3cret")
        #expect(Credentials.password(fromFileContents: "no newline") == "no newline")
    }
}
