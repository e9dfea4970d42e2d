"""Names of the API contract shared by the server and its clients."""

#: Set by the desktop agent: the application the text is for (recorded in history).
SOURCE_APP_HEADER = "X-Sottovoce-Source-App"
