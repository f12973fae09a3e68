import ChatClient
import Testing

@Suite struct ConfigTests {
    @Test func defaultsWhenNothingIsSet() throws {
        let config = try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: ConfigLayer())
        #expect(config == ClientConfig(server: ServerAddress(host: "127.0.0.1", port: 8889), user: nil, passwordFile: nil))
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
        let file = try ConfigLayer.file("""
            # my chat settings
            server = chat.example:9000   # trailing comment
              user=100

            password_file = ~/.chat-password
            """, path: "cfg")
        let config = try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(), file: file)
        #expect(config == ClientConfig(server: ServerAddress(host: "chat.example", port: 9000), user: 100, passwordFile: "~/.chat-password"))
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
        let layer = ConfigLayer.environment(["CHAT_SERVER": "h:1", "CHAT_USER": "", "CHAT_PASSWORD_FILE": "/pw", "OTHER": "x"])
        #expect(layer == ConfigLayer(server: "h:1", user: nil, passwordFile: "/pw"))
    }

    @Test func fileErrorsNameTheLine() {
        #expect(throws: ChatFailure(.usage, "cfg:2: unknown key `sever`")) {
            try ConfigLayer.file("user = 1\nsever = x:1\n", path: "cfg")
        }
        #expect(throws: ChatFailure(.usage, "cfg:1: expected `key = value`")) {
            try ConfigLayer.file("just words\n", path: "cfg")
        }
    }

    @Test func invalidValuesAreUsageErrors() {
        #expect(throws: ChatFailure.self) {
            try ClientConfig.resolve(flags: ConfigLayer(user: "ann"), environment: ConfigLayer(), file: ConfigLayer())
        }
        #expect(throws: ChatFailure.self) {
            try ClientConfig.resolve(flags: ConfigLayer(), environment: ConfigLayer(server: "no-port"), file: ConfigLayer())
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
        #expect(ClientConfig.filePath(environment: ["XDG_CONFIG_HOME": "rel", "HOME": "/h"]) == "/h/.config/chat/config")
        #expect(ClientConfig.filePath(environment: [:]) == nil)
    }

    @Test func passwordFileContents() {
        #expect(Credentials.password(fromFileContents: "s3cret\n") == "s3cret")
        #expect(Credentials.password(fromFileContents: "s3cret\r\nignored\n") == "s3cret")
        #expect(Credentials.password(fromFileContents: "no newline") == "no newline")
    }
}
