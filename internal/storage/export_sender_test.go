package storage

// SenderQuery is the query that reads an update's sender (TouchSender),
// for the plan test.
func SenderQuery() string { return senderSQL("users.telegram_id = 42") }
