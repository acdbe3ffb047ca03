def test_a_user_can_switch_to_nynorsk_and_english(client_for):
    client = client_for("coordinator")
    page = client.get("/mine/")
    assert "Mine personer" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "nn", "next": "/mine/"})
    assert "Mine personar" in client.get("/mine/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/mine/"})
    body = client.get("/mine/").content.decode()
    assert '<html lang="en"' in body
