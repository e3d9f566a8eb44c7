package telegramtest

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Builders of updates as Telegram sends them. Each returns a map for AddUpdate; the
// update_id is filled in by AddUpdate.

// User is a Telegram user.
type User struct {
	ID   int64
	Lang string // language_code; "" for none
	Name string
}

func (u User) json() map[string]any {
	m := map[string]any{"id": u.ID, "is_bot": false, "first_name": u.Name}
	if m["first_name"] == "" {
		m["first_name"] = "User"
	}
	if u.Lang != "" {
		m["language_code"] = u.Lang
	}
	return m
}

var messageID atomic.Int64

func message(chat map[string]any, from User, extra map[string]any) map[string]any {
	m := map[string]any{"message_id": messageID.Add(1), "date": time.Now().Unix(), "chat": chat, "from": from.json()}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// privateChat is the private chat with u.
func privateChat(u User) map[string]any {
	return map[string]any{"id": u.ID, "type": "private", "first_name": u.json()["first_name"]}
}

// GroupChat is a group.
func GroupChat(id int64) map[string]any {
	return map[string]any{"id": id, "type": "supergroup", "title": "Newcomers"}
}

// Text is a text message from u in their private chat.
func Text(u User, text string) map[string]any {
	return TextIn(privateChat(u), u, text)
}

// TextIn is a text message from u in chat. A leading /command gets its entity.
func TextIn(chat map[string]any, u User, text string) map[string]any {
	extra := map[string]any{"text": text}
	if len(text) > 1 && text[0] == '/' {
		n := len(text)
		for i, r := range text {
			if r == ' ' || r == '\n' {
				n = i
				break
			}
		}
		extra["entities"] = []any{map[string]any{"type": "bot_command", "offset": 0, "length": n}}
	}
	return map[string]any{"message": message(chat, u, extra)}
}

// ReplyTo is a text message from u in chat replying to a message of the bot.
func ReplyTo(chat map[string]any, u User, text string) map[string]any {
	up := TextIn(chat, u, text)
	up["message"].(map[string]any)["reply_to_message"] = map[string]any{
		"message_id": 1, "date": time.Now().Unix(), "chat": chat,
		"from": map[string]any{"id": BotID, "is_bot": true, "first_name": "Ankommen", "username": Username},
	}
	return up
}

// Media is a non-text message from u: kind is photo, sticker, voice, document,
// location, contact, video or video_note.
func Media(u User, kind string) map[string]any {
	var v any
	switch kind {
	case "photo":
		v = []any{map[string]any{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}}
	case "sticker":
		v = map[string]any{"file_id": "s1", "file_unique_id": "u2", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false}
	case "voice":
		v = map[string]any{"file_id": "v1", "file_unique_id": "u3", "duration": 3}
	case "document":
		v = map[string]any{"file_id": "d1", "file_unique_id": "u4", "file_name": "a.pdf"}
	case "location":
		v = map[string]any{"latitude": 53.14, "longitude": 8.21}
	case "contact":
		v = map[string]any{"phone_number": "+49441000", "first_name": "A"}
	case "video":
		v = map[string]any{"file_id": "vd", "file_unique_id": "u5", "width": 1, "height": 1, "duration": 1}
	case "video_note":
		v = map[string]any{"file_id": "vn", "file_unique_id": "u6", "length": 1, "duration": 1}
	}
	return map[string]any{"message": message(privateChat(u), u, map[string]any{kind: v})}
}

// Edited is an edited text message from u.
func Edited(u User, text string) map[string]any {
	m := message(privateChat(u), u, map[string]any{"text": text, "edit_date": time.Now().Unix()})
	return map[string]any{"edited_message": m}
}

// ChannelPost is a post in a channel.
func ChannelPost(chatID int64, text string) map[string]any {
	return map[string]any{"channel_post": map[string]any{"message_id": messageID.Add(1), "date": time.Now().Unix(),
		"chat": map[string]any{"id": chatID, "type": "channel", "title": "News"}, "text": text}}
}

// Callback is a press on a button with data under a message of the bot in u's chat.
// Its id starts with CallbackPrefix(u).
func Callback(u User, data string) map[string]any {
	return map[string]any{"callback_query": map[string]any{
		"id": CallbackPrefix(u) + time.Now().Format("150405.000000000"), "from": u.json(), "chat_instance": "ci", "data": data,
		"message": map[string]any{"message_id": 7, "date": time.Now().Unix(), "chat": privateChat(u), "text": "…",
			"from": map[string]any{"id": BotID, "is_bot": true, "first_name": "Ankommen"}},
	}}
}

// Blocked is the update Telegram sends when u blocks the bot.
func Blocked(u User) map[string]any {
	return memberUpdate(u, "member", "kicked")
}

// Unblocked is the update Telegram sends when u restarts the bot.
func Unblocked(u User) map[string]any {
	return memberUpdate(u, "kicked", "member")
}

func memberUpdate(u User, from, to string) map[string]any {
	bot := map[string]any{"id": BotID, "is_bot": true, "first_name": "Ankommen"}
	return map[string]any{"my_chat_member": map[string]any{
		"chat": privateChat(u), "from": u.json(), "date": time.Now().Unix(),
		"old_chat_member": map[string]any{"status": from, "user": bot},
		"new_chat_member": map[string]any{"status": to, "user": bot, "until_date": 0},
	}}
}

// CallbackPrefix starts the id of every callback query of u: answerCallbackQuery
// calls name it, not the chat.
func CallbackPrefix(u User) string { return fmt.Sprintf("cb%d-", u.ID) }
