from django.urls import path

from reporting import views

urlpatterns = [
    path("", views.home, name="home"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/request/", views.export_request, name="export_request"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
