from __future__ import annotations

from django.urls import path

from walkrx.web.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.today, name="today"),
    path("walks/", views.log_walk, name="log_walk"),
    path("walks/<int:walk_id>/saved/", views.walk_saved, name="walk_saved"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/save/", views.save_checkin, name="save_checkin"),
    path("check/", views.weekly_check, name="weekly_check"),
    path("check/save/", views.save_weekly_check, name="save_weekly_check"),
    path("check/<int:answer_id>/", views.check_result, name="check_result"),
    path("review/", views.review, name="review"),
    path("progress/", views.progress, name="progress"),
    path("progress/weight/", views.save_weight, name="save_weight"),
    path("charts/<slug:name>.svg", views.chart, name="chart"),
    path("learn/", views.learn, name="learn"),
    path("learn/<slug:slug>/", views.lesson, name="lesson"),
    path("call/", views.call, name="call"),
    path("call/request/", views.save_call, name="save_call"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/new/", views.new_calendar_link, name="new_calendar_link"),
    path("calendar/stop/", views.stop_calendar_link, name="stop_calendar_link"),
]
