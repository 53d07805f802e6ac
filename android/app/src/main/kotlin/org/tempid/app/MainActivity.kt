package org.tempid.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.material3.MaterialTheme
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.tempid.app.ui.TempIdScreens

/** The one activity: draws the presenter's model; hosts the face SDK's UI while it runs. */
class MainActivity : ComponentActivity() {
    private val model: PassViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            MaterialTheme {
                val ui = model.ui.collectAsStateWithLifecycle()
                TempIdScreens(ui.value, model)
            }
        }
    }

    override fun onStart() {
        super.onStart()
        (application as TempIdApplication).faceSdkHost.attach(this)
    }

    override fun onStop() {
        (application as TempIdApplication).faceSdkHost.detach(this)
        super.onStop()
    }
}
