app_name = "conversations"
urlpatterns: list = []
